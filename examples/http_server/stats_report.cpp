#include "stats_report.hpp"

#include <cstdio>

namespace http_server {

namespace {

void add_line(std::string& out, const char* name, unsigned long long value) {
  char line[96];
  int n = std::snprintf(line, sizeof line, "%s %llu\n", name, value);
  out.append(line, n > 0 ? static_cast<std::size_t>(n) : 0);
}

unsigned long long load(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

} // namespace

std::string stats_report(const server_context& ctx) {
  const auto& s = ctx.stats;
  std::string out;
  add_line(out, "pool_available", ctx.pool ? ctx.pool->available() : 0);
  add_line(out, "pool_size", ctx.pool ? ctx.pool->size() : 0);
  add_line(out, "registered", ctx.pool && ctx.pool->registered() ? 1 : 0);
  out += "backend " + ctx.backend + "\n";
  out += std::string("mode ") + to_string(ctx.options.mode) + "\n";
  add_line(out, "requests", load(s.requests));
  add_line(out, "sessions", load(s.sessions));
  add_line(out, "responses", load(s.responses));
  add_line(out, "send_failures", load(s.send_failures));
  add_line(out, "direct_files", load(s.direct_files));
  add_line(out, "contexts", s.per_context.size());
  out += "pool_attachment";
  for (std::size_t i = 0; i < s.per_context.size(); ++i) {
    std::string word = i < ctx.attachments.size() ? ctx.attachments[i] : "-";
    for (char& c : word) // one word per context
      if (c == ' ')
        c = '-';
    out += " " + word;
  }
  out += "\ncontext_connections";
  for (const auto& c : s.per_context)
    out += " " + std::to_string(load(c.connections));
  out += "\ncontext_requests";
  for (const auto& c : s.per_context)
    out += " " + std::to_string(load(c.requests));
  out += "\n";
  return out;
}

} // namespace http_server

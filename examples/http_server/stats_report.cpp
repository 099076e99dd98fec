#include "stats_report.hpp"

#include <cstdio>

namespace http_server {

std::string stats_report(const server_context& ctx) {
  const auto& s = ctx.stats;
  std::size_t available = ctx.pool ? ctx.pool->available() : 0;
  std::size_t size = ctx.pool ? ctx.pool->size() : 0;
  char text[512];
  int n = std::snprintf(
      text, sizeof text,
      "pool_available %zu\npool_size %zu\nregistered %d\nbackend %s\nmode %s\nrequests %llu\n"
      "sessions %llu\nresponses %llu\nsend_failures %llu\ndirect_files %llu\n",
      available, size, ctx.pool && ctx.pool->registered() ? 1 : 0, ctx.backend.c_str(),
      to_string(ctx.options.mode),
      static_cast<unsigned long long>(s.requests.load(std::memory_order_relaxed)),
      static_cast<unsigned long long>(s.sessions.load(std::memory_order_relaxed)),
      static_cast<unsigned long long>(s.responses.load(std::memory_order_relaxed)),
      static_cast<unsigned long long>(s.send_failures.load(std::memory_order_relaxed)),
      static_cast<unsigned long long>(s.direct_files.load(std::memory_order_relaxed)));
  return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0);
}

} // namespace http_server

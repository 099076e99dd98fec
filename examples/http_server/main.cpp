// uring-http-server: a static file server on Boost.Beast whose file bodies
// go through io_uring registered buffers (asio_uring_fixed).
//
//   uring-http-server ROOT [--port 0] [--threads N] [--accept round-robin|reuseport]
//                     [--pool-buffers N] [--buffer-size BYTES] [--direct]
//                     [--mode fixed|sync-read|file-body]
//
// Threads: one io_context per thread (each with its own ring), and ONE
// buffer pool shared by all of them (registered once, cloned into the
// other rings). The parts: listener (accept, hand the socket to a
// context) -> http_session (read a request, send the reply; lives on its
// context only) -> handle_request (the policy) -> fixed_file_sender (the
// body, lease by lease). GET /__stats or SIGUSR1 shows the pool's free
// buffers and the counters of all contexts; SIGINT / SIGTERM stop the
// server.

#include "context_threads.hpp"
#include "listener.hpp"
#include "server_context.hpp"
#include "server_options.hpp"
#include "stats_report.hpp"

#include <asio_uring_fixed/fixed_buffer_pool.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;
using namespace http_server;

namespace {

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0)
    return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0)
    return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// "io_uring", or "portable (io_uring unavailable: ...)"; one line for all
// contexts, which get the same backend unless the kernel refused a ring
// half-way (then each is named).
void report_backends(context_threads& contexts, server_context& ctx) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    auto& service = asio::use_service<auf::uring_service>(contexts[i]);
    std::string name(auf::to_string(service.backend()));
    if (service.backend() != auf::backend_kind::io_uring)
      name += " (io_uring unavailable: " + service.io_uring_error().message() + ")";
    names.push_back(std::move(name));
  }
  ctx.backend =
      std::string(auf::to_string(asio::use_service<auf::uring_service>(contexts[0]).backend()));
  bool same = true;
  for (const auto& n : names)
    same = same && n == names[0];
  if (same) {
    std::printf("backend: %s\n", names[0].c_str());
  } else {
    for (std::size_t i = 0; i < names.size(); ++i)
      std::printf("backend of context %zu: %s\n", i, names[i].c_str());
  }
}

// One pool for every context: pinned and charged once. Prints how it
// reaches each ring, e.g. "pool: 64 buffers of 256 KiB, registered;
// shared by 2 contexts: registered, cloned".
void report_pool(const auf::fixed_buffer_pool& pool, context_threads& contexts,
                 server_context& ctx) {
  ctx.attachments.clear();
  for (std::size_t i = 0; i < contexts.size(); ++i)
    ctx.attachments.emplace_back(auf::to_string(pool.attachment(contexts[i])));
  std::string line = "pool: " + std::to_string(pool.size()) + " buffers of " +
                     size_text(pool.buffer_size()) + ", " +
                     (pool.registered() ? "registered" : "not registered");
  if (contexts.size() > 1) {
    line += "; shared by " + std::to_string(contexts.size()) + " contexts:";
    for (std::size_t i = 0; i < ctx.attachments.size(); ++i)
      line += (i ? ", " : " ") + ctx.attachments[i];
  }
  if (pool.registration_error())
    line += " (" + pool.registration_message() + ")";
  std::printf("%s\n", line.c_str());
}

// The listeners: one on context 0 handing connections round-robin to all
// contexts, or one SO_REUSEPORT listener per context, all on the port the
// first one bound (the real one when --port 0).
std::vector<std::shared_ptr<listener>> make_listeners(context_threads& contexts,
                                                      server_context& ctx) {
  const server_options& o = ctx.options;
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(o.address), o.port);
  std::vector<std::shared_ptr<listener>> listeners;
  const unsigned n = static_cast<unsigned>(contexts.size());
  if (o.accept == accept_mode::round_robin || n == 1) {
    std::vector<accept_target> all;
    for (unsigned i = 0; i < n; ++i)
      all.push_back({&contexts[i], i});
    listeners.push_back(std::make_shared<listener>(contexts[0], endpoint, ctx, all, false));
  } else {
    for (unsigned i = 0; i < n; ++i) {
      listeners.push_back(std::make_shared<listener>(
          contexts[i], endpoint, ctx, std::vector<accept_target>{{&contexts[i], i}}, true));
      endpoint = listeners.front()->local_endpoint();
    }
  }
  return listeners;
}

int run_server(server_context& ctx) {
  const server_options& o = ctx.options;
  context_threads contexts(o.threads);
  report_backends(contexts, ctx);

  // Declared after the contexts, so it is destroyed first (a pool must not
  // outlive any of its contexts); leases still held by handlers keep their
  // memory until the contexts destroy those handlers.
  std::optional<auf::fixed_buffer_pool> pool;
  if (o.mode == read_mode::fixed) {
    auf::pool_options po;
    po.registration =
        o.register_buffers ? auf::registration_mode::if_possible : auf::registration_mode::none;
    pool.emplace(contexts.pointers(), o.pool_buffers, o.buffer_size, po);
    ctx.pool = &*pool;
    report_pool(*pool, contexts, ctx);
  } else {
    std::printf("mode: %s (no pool; one %zu-byte buffer per connection)\n", to_string(o.mode),
                o.buffer_size);
  }
  if (o.direct)
    std::printf("direct: O_DIRECT reads where the filesystem supports them\n");
  if (o.threads > 1)
    std::printf("threads: %u, one io_context each; accept: %s\n", o.threads, to_string(o.accept));

  auto listeners = make_listeners(contexts, ctx);
  for (auto& l : listeners)
    l->run();
  auto bound = listeners.front()->local_endpoint();
  std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), bound.port());
  std::fflush(stdout);

  // SIGINT / SIGTERM: stop accepting and stop every context; pending
  // operations are cancelled and their handlers destroyed with their
  // context. Signals are waited for on context 0.
  asio::signal_set stop_signals(contexts[0], SIGINT, SIGTERM);
  stop_signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec)
      return;
    std::printf("signal %d: shutting down\n", signo);
    std::fflush(stdout);
    for (auto& l : listeners)
      l->stop();
    contexts.stop();
  });
  asio::signal_set report_signal(contexts[0], SIGUSR1);
  std::function<void()> wait_report = [&] {
    report_signal.async_wait([&](boost::system::error_code ec, int) {
      if (ec)
        return;
      std::fputs(stats_report(ctx).c_str(), stdout);
      std::fflush(stdout);
      wait_report();
    });
  };
  wait_report();

  contexts.run();

  std::printf("stopped: %zu of %zu buffers free before the contexts are destroyed\n",
              pool ? pool->available() : 0, pool ? pool->size() : 0);
  ctx.pool = nullptr;
  pool.reset();      // before the contexts (and with no handler running)
  listeners.clear(); // the pending accepts still own them until context 0 goes
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (const int* status = std::get_if<int>(&parsed))
    return *status;
  try {
    // Outlives the io_contexts: sessions destroyed with them still count out.
    server_context ctx(std::get<server_options>(std::move(parsed)));
    return run_server(ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "uring-http-server: %s\n", e.what());
    return 1;
  }
}

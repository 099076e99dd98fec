// uring-http-server: a static file server on Boost.Beast whose file bodies
// go through io_uring registered buffers (asio_uring_fixed).
//
//   uring-http-server ROOT [--port 0] [--threads N] [--pool-buffers N]
//                     [--buffer-size BYTES] [--direct] [--mode fixed|sync-read|file-body]
//
// The parts: listener (accept) -> http_session (read a request, send the
// reply) -> handle_request (the policy) -> fixed_file_sender (the body,
// lease by lease). GET /__stats or SIGUSR1 shows the pool's free buffers;
// SIGINT / SIGTERM stop the server.

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
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;
using namespace http_server;

namespace {

int run_server(server_context& ctx) {
  const server_options& o = ctx.options;
  asio::io_context ioc{static_cast<int>(o.threads)};

  auto& service = asio::use_service<auf::uring_service>(ioc);
  ctx.backend = std::string(auf::to_string(service.backend()));
  if (service.backend() != auf::backend_kind::io_uring)
    std::printf("backend: %s (io_uring unavailable: %s)\n", ctx.backend.c_str(),
                service.io_uring_error().message().c_str());
  else
    std::printf("backend: io_uring\n");

  // The pool is declared after the io_context, so it is destroyed first (a
  // pool must not outlive its context); leases still held by handlers keep
  // their memory until the context destroys those handlers.
  std::optional<auf::fixed_buffer_pool> pool;
  if (o.mode == read_mode::fixed) {
    auf::pool_options po;
    po.registration =
        o.register_buffers ? auf::registration_mode::if_possible : auf::registration_mode::none;
    pool.emplace(ioc, o.pool_buffers, o.buffer_size, po);
    ctx.pool = &*pool;
    std::printf("pool: %zu buffers of %zu bytes, %s\n", pool->size(), pool->buffer_size(),
                pool->registered() ? "registered" : "not registered");
  } else {
    std::printf("mode: %s (no pool; one %zu-byte buffer per connection)\n", to_string(o.mode),
                o.buffer_size);
  }
  if (o.direct)
    std::printf("direct: O_DIRECT reads where the filesystem supports them\n");

  auto server = std::make_shared<listener>(
      ioc, asio::ip::tcp::endpoint(asio::ip::make_address(o.address), o.port), ctx);
  server->run();
  auto bound = server->local_endpoint();
  std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), bound.port());
  std::fflush(stdout);

  // SIGINT / SIGTERM: stop accepting and stop the context; pending
  // operations are cancelled and their handlers destroyed with it.
  asio::signal_set stop_signals(ioc, SIGINT, SIGTERM);
  stop_signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec)
      return;
    std::printf("signal %d: shutting down\n", signo);
    std::fflush(stdout);
    server->stop();
    ioc.stop();
  });
  asio::signal_set report_signal(ioc, SIGUSR1);
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

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < o.threads; ++i)
    threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads)
    t.join();

  std::printf("stopped: %zu of %zu buffers free before the context is destroyed\n",
              pool ? pool->available() : 0, pool ? pool->size() : 0);
  ctx.pool = nullptr;
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (const int* status = std::get_if<int>(&parsed))
    return *status;
  try {
    // Outlives the io_context: sessions destroyed with it still count out.
    server_context ctx(std::get<server_options>(std::move(parsed)));
    return run_server(ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "uring-http-server: %s\n", e.what());
    return 1;
  }
}

// A read with a timeout: the read and a timer race in a parallel_group; the
// loser is cancelled. The read here is on a pipe that nobody writes to, so
// the timer wins and the read completes with operation_aborted -- and only
// then, once the kernel is done with it, is the lease handed back. The same
// happens on the portable backend, which waits for pipes in poll().
#include <asio_uring_fixed/asio_uring_fixed.hpp>

// Builds with either flavour of Asio: the library target it links decides
// (asio_uring_fixed::asio_uring_fixed or asio_uring_fixed_standalone).
#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio.hpp>
#include <asio/experimental/parallel_group.hpp>
#else
#include <boost/asio.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
namespace asio = boost::asio;
#endif

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace auf = asio_uring_fixed;

int main() {
  asio::io_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096, {auf::registration_mode::if_possible});
  int fds[2];
  if (::pipe(fds) != 0)
    return 1;
  asio::steady_timer timer(ctx, std::chrono::milliseconds(100));
  asio::experimental::make_parallel_group(
      auf::async_read_fixed_at(fds[0], 0, pool.try_acquire(), asio::deferred),
      timer.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
                  [&](std::array<std::size_t, 2> order, auf::error_code read_ec, std::size_t,
                      auf::fixed_buffer buf, auf::error_code) {
                    std::printf("%s finished first; read: %s; lease back: %s\n",
                                order[0] == 0 ? "read" : "timer", read_ec.message().c_str(),
                                buf ? "yes" : "no");
                  });
  ctx.run();
  std::printf("buffers free: %zu of %zu\n", pool.available(), pool.size());
  ::close(fds[0]);
  ::close(fds[1]);
}

// Reads a file with a C++20 coroutine: acquire a registered buffer (waiting
// if the pool is empty), read into it, hand it back by letting it go.
//
//   read_coroutine FILE
#include <asio_uring_fixed/asio_uring_fixed.hpp>

// Builds with either flavour of Asio: the library target it links decides
// (asio_uring_fixed::asio_uring_fixed or asio_uring_fixed_standalone).
#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio.hpp>
#else
#include <boost/asio.hpp>
namespace asio = boost::asio;
#endif

#include <cstdio>

namespace auf = asio_uring_fixed;

asio::awaitable<void> count_bytes(auf::fixed_buffer_pool& pool, auf::file& file) {
  std::uint64_t offset = 0, lines = 0;
  for (;;) {
    auf::fixed_buffer buf = co_await pool.async_acquire(asio::use_awaitable);
    // as_tuple: errors come back as values, and the lease with them.
    auto [ec, n, back] = co_await auf::async_read_fixed_at(file, offset, std::move(buf),
                                                           asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::eof)
      break;
    if (ec) {
      std::fprintf(stderr, "read: %s\n", ec.message().c_str());
      co_return;
    }
    for (std::byte b : back.span().first(n))
      lines += b == std::byte{'\n'};
    offset += n;
  }
  std::printf("%llu bytes, %llu lines\n", static_cast<unsigned long long>(offset),
              static_cast<unsigned long long>(lines));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  try {
    asio::io_context ctx;
    auf::fixed_buffer_pool pool(ctx, 4, 256 * 1024, {auf::registration_mode::if_possible});
    auf::file file(argv[1], auf::file::read_only);
    asio::co_spawn(ctx, count_bytes(pool, file), asio::detached);
    ctx.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

// Back-pressure: more readers than buffers. Readers wait for a free buffer
// with async_acquire (first come, first served) instead of failing or
// allocating; each returned lease goes straight to the oldest waiter.
//
//   wait_for_buffer FILE
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

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  try {
    asio::io_context ctx;
    auf::fixed_buffer_pool pool(ctx, 2, 4096, {auf::registration_mode::if_possible});
    auf::file file(argv[1], auf::file::read_only);
    for (int reader = 0; reader < 6; ++reader)
      pool.async_acquire([&, reader](auf::error_code ec, auf::fixed_buffer buf) {
        if (ec)
          return;
        std::printf("reader %d got buffer %u (%zu free)\n", reader, buf.index(), pool.available());
        auf::async_read_fixed_at(file, reader * 4096, std::move(buf),
                                 [reader](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                   std::printf("reader %d read %zu bytes%s%s\n", reader, n,
                                               ec ? ": " : "", ec ? ec.message().c_str() : "");
                                 }); // the lease goes back when this handler returns
      });
    ctx.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

// Several reads in flight on one file with plain callbacks: each completion
// folds its block into a checksum and starts the next read with the same
// lease, so DEPTH reads are always with the kernel.
//
//   callback_pipeline FILE [DEPTH]
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
#include <cstdlib>

namespace auf = asio_uring_fixed;

class pipeline {
 public:
  pipeline(auf::file& f, std::size_t block) : file_(f), block_(block), size_(f.size()) {}

  void start(auf::fixed_buffer buf) {
    if (next_ >= size_)
      return; // the lease goes back to the pool here
    std::uint64_t at = next_;
    next_ += block_;
    auf::async_read_fixed_at(file_, at, std::move(buf),
                             [this, at](auf::error_code ec, std::size_t n, auf::fixed_buffer buf) {
                               if (ec) {
                                 std::fprintf(stderr, "read at %llu: %s\n",
                                              static_cast<unsigned long long>(at),
                                              ec.message().c_str());
                                 return;
                               }
                               for (std::size_t i = 0; i < n; ++i) // order-independent sum
                                 sum_ += std::to_integer<unsigned>(buf.data()[i]) * (at + i + 1);
                               bytes_ += n;
                               start(std::move(buf));
                             });
  }

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t sum() const { return sum_; }

 private:
  auf::file& file_;
  std::size_t block_;
  std::uint64_t size_, next_ = 0, bytes_ = 0, sum_ = 0;
};

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [DEPTH]\n", argv[0]);
    return 2;
  }
  int depth = argc > 2 ? std::atoi(argv[2]) : 8;
  try {
    asio::io_context ctx;
    auf::fixed_buffer_pool pool(ctx, static_cast<std::size_t>(depth), 64 * 1024,
                                {auf::registration_mode::if_possible});
    auf::file file(argv[1], auf::file::read_only);
    pipeline p(file, pool.buffer_size());
    for (int i = 0; i < depth; ++i)
      p.start(pool.try_acquire());
    ctx.run();
    std::printf(
        "%llu bytes, checksum %llx, %s buffers\n", static_cast<unsigned long long>(p.bytes()),
        static_cast<unsigned long long>(p.sum()), pool.registered() ? "registered" : "plain");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

// Variant: Asio 1.81 random_access_file (this binary is built with
// BOOST_ASIO_HAS_IO_URING), an io_context per thread (concurrency hint 1,
// as read_qd's Asio variants), one file object per read in flight (Asio runs
// one read at a time per object), qd per thread, plain buffers from one
// mapping per thread.
#include "variants.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/random_access_file.hpp>

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#if !defined(BOOST_ASIO_HAS_FILE)
#error "random_access_file needs BOOST_ASIO_HAS_IO_URING for every translation unit"
#endif

namespace scaling {
namespace {

namespace asio = boost::asio;

struct chain {
  asio::random_access_file* file = nullptr;
  std::byte* buffer = nullptr;
  std::uint32_t block_size = 0;
  offset_cursor cursor;
  std::uint64_t offset = 0;

  void issue() {
    offset = cursor.take();
    file->async_read_some_at(offset, asio::buffer(buffer, block_size), handler{this});
  }

  // A plain callback, like the library variants'.
  struct handler {
    chain* self;
    void operator()(const boost::system::error_code& ec, std::size_t n) const {
      worker& w = this_worker();
      if (ec)
        w.fail("async_read_some_at: " + ec.message());
      else if (w.complete(self->buffer, n, self->offset))
        self->issue();
    }
  };
};

struct asio_thread {
  asio::io_context context{1};
  std::deque<asio::random_access_file> files;
  std::vector<chain> chains;
  void* arena = MAP_FAILED;
  std::size_t bytes = 0;

  std::string setup(const config& cfg, unsigned t) {
    bytes = std::size_t{cfg.qd} * cfg.block_size;
    arena = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (arena == MAP_FAILED)
      return "mmap: " + std::string(std::strerror(errno));
    chains.resize(cfg.qd);
    for (unsigned i = 0; i < cfg.qd; ++i) {
      if (cfg.direct) {
        // Asio's open flags have no O_DIRECT: adopt a descriptor opened with it.
        int fd = ::open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
        if (fd < 0)
          return "open: " + std::string(std::strerror(errno));
        files.emplace_back(context, fd);
      } else {
        files.emplace_back(context, cfg.path, asio::random_access_file::read_only);
      }
      chains[i] =
          chain{&files.back(), static_cast<std::byte*>(arena) + std::size_t{i} * cfg.block_size,
                cfg.block_size, offset_cursor(cfg, t * cfg.qd + i, cfg.threads * cfg.qd)};
    }
    return {};
  }

  ~asio_thread() {
    files.clear();
    if (arena != MAP_FAILED)
      ::munmap(arena, bytes);
  }

  void run() {
    asio::post(context, [this] {
      for (auto& c : chains)
        c.issue();
    });
    context.run();
  }
};

} // namespace

measurement run_asio_file(const config& cfg) {
  std::vector<std::unique_ptr<asio_thread>> threads;
  for (unsigned t = 0; t < cfg.threads; ++t) {
    threads.push_back(std::make_unique<asio_thread>());
    if (std::string why = threads.back()->setup(cfg, t); !why.empty())
      return failed(why);
  }
  measurement m = run_on_threads(cfg, [&](unsigned t) { threads[t]->run(); });
  m.note = "context per thread";
  return m;
}

} // namespace scaling

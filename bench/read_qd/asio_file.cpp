// Variants: Asio 1.81 random_access_file (this binary is built with
// BOOST_ASIO_HAS_IO_URING), qd chains of async_read_some_at, either all on
// one file object (Asio runs one read at a time per object) or one object per
// chain.
#include "variants.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#if !defined(BOOST_ASIO_HAS_FILE)
#error "random_access_file needs BOOST_ASIO_HAS_IO_URING for every translation unit"
#endif

namespace read_qd {
namespace {

namespace asio = boost::asio;

class asio_reader {
 public:
  asio_reader(window& w, std::uint32_t block_size) : window_(w), block_size_(block_size) {}

  struct chain {
    asio::random_access_file* file;
    std::byte* buffer;
    std::uint64_t offset = 0;
  };

  void issue(chain& c) {
    c.offset = window_.next_offset();
    c.file->async_read_some_at(c.offset, asio::buffer(c.buffer, block_size_), handler{this, &c});
  }

 private:
  // A plain callback, like the library variants'.
  struct handler {
    asio_reader* self;
    chain* c;
    void operator()(const boost::system::error_code& ec, std::size_t n) const {
      self->on_read(*c, ec, n);
    }
  };

  void on_read(chain& c, const boost::system::error_code& ec, std::size_t n) {
    if (ec)
      window_.fail("async_read_some_at: " + ec.message());
    else
      window_.verify(c.buffer, n, c.offset);
    if (window_.complete())
      issue(c);
  }

  window& window_;
  std::uint32_t block_size_;
};

measurement run_asio_file(const config& cfg, unsigned objects) {
  measurement failed;
  std::size_t bytes = std::size_t{cfg.qd} * cfg.block_size;
  void* arena = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (arena == MAP_FAILED) {
    failed.error = "mmap: " + std::string(std::strerror(errno));
    return failed;
  }
  measurement m;
  {
    asio::io_context context(1);
    std::deque<asio::random_access_file> files;
    for (unsigned i = 0; i < objects; ++i) {
      if (!cfg.direct) {
        files.emplace_back(context, cfg.path, asio::random_access_file::read_only);
        continue;
      }
      // Asio's open flags have no O_DIRECT: adopt a descriptor opened with it.
      int fd = ::open(cfg.path.c_str(), open_flags(cfg));
      if (fd < 0) {
        failed.error = "open: " + std::string(std::strerror(errno));
        ::munmap(arena, bytes);
        return failed;
      }
      files.emplace_back(context, fd);
    }

    window w(cfg);
    asio_reader reader(w, cfg.block_size);
    std::vector<asio_reader::chain> chains(cfg.qd);
    for (unsigned i = 0; i < cfg.qd; ++i)
      chains[i] = {&files[i % objects],
                   static_cast<std::byte*>(arena) + std::size_t{i} * cfg.block_size};
    for (auto& c : chains)
      reader.issue(c);
    context.run();
    m = w.result();
  }
  ::munmap(arena, bytes);
  return m;
}

} // namespace

measurement run_asio_file_one(const config& cfg) {
  return run_asio_file(cfg, 1);
}

measurement run_asio_file_per_chain(const config& cfg) {
  return run_asio_file(cfg, cfg.qd);
}

} // namespace read_qd

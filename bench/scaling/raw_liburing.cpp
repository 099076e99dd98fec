// Variant: raw liburing, the baseline: a ring per thread, qd registered
// buffers per ring (io_uring_register_buffers), READ_FIXED; the loop of
// read_qd's raw_liburing.cpp (submit and wait for one, peek every ready CQE,
// re-prepare a read in the same buffer), run on every thread.
#include "variants.hpp"

#include <fcntl.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace scaling {
namespace {

/// One thread's ring, descriptor and registered buffers.
struct ring_thread {
  io_uring ring{};
  bool ring_ready = false;
  int fd = -1;
  void* arena = MAP_FAILED;
  std::size_t bytes = 0;
  std::vector<iovec> iov;
  std::vector<offset_cursor> cursors;
  std::vector<std::uint64_t> offsets;
  unsigned entries = 0;

  std::string setup(const config& cfg, unsigned t) {
    fd = ::open(cfg.path.c_str(), O_RDONLY | O_CLOEXEC | (cfg.direct ? O_DIRECT : 0));
    if (fd < 0)
      return "open: " + std::string(std::strerror(errno));
    bytes = std::size_t{cfg.qd} * cfg.block_size;
    arena = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (arena == MAP_FAILED)
      return "mmap: " + std::string(std::strerror(errno));
    entries = std::bit_ceil(cfg.qd < 8 ? 8u : cfg.qd);
    if (int r = io_uring_queue_init(entries, &ring, 0); r < 0)
      return "io_uring_queue_init: " + std::string(std::strerror(-r));
    ring_ready = true;
    unsigned chains = cfg.threads * cfg.qd;
    for (unsigned i = 0; i < cfg.qd; ++i) {
      iov.push_back(
          iovec{static_cast<std::byte*>(arena) + std::size_t{i} * cfg.block_size, cfg.block_size});
      cursors.emplace_back(cfg, t * cfg.qd + i, chains);
    }
    offsets.resize(cfg.qd);
    if (int r = io_uring_register_buffers(&ring, iov.data(), cfg.qd); r < 0)
      return "io_uring_register_buffers: " + std::string(std::strerror(-r));
    return {};
  }

  ~ring_thread() {
    if (ring_ready)
      io_uring_queue_exit(&ring);
    if (arena != MAP_FAILED)
      ::munmap(arena, bytes);
    if (fd >= 0)
      ::close(fd);
  }

  void run(const config& cfg) {
    worker& w = this_worker();
    std::vector<io_uring_cqe*> cqes(entries * 2);
    auto prepare = [&](unsigned i) {
      offsets[i] = cursors[i].take();
      io_uring_sqe* sqe = io_uring_get_sqe(&ring); // never null: at most qd prepared
      io_uring_prep_read_fixed(sqe, fd, iov[i].iov_base, cfg.block_size, offsets[i],
                               static_cast<int>(i));
      io_uring_sqe_set_data64(sqe, i);
    };
    for (unsigned i = 0; i < cfg.qd; ++i)
      prepare(i);
    unsigned in_flight = cfg.qd;
    while (in_flight > 0) {
      int r = io_uring_submit_and_wait(&ring, 1);
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
        w.fail("io_uring_submit_and_wait: " + std::string(std::strerror(-r)));
        return; // the ring's teardown reaps what is left
      }
      unsigned n = io_uring_peek_batch_cqe(&ring, cqes.data(), static_cast<unsigned>(cqes.size()));
      for (unsigned k = 0; k < n; ++k) {
        auto i = static_cast<unsigned>(io_uring_cqe_get_data64(cqes[k]));
        int res = cqes[k]->res;
        bool again = false;
        if (res < 0)
          w.fail("READ_FIXED: " + std::string(std::strerror(-res)));
        else
          again = w.complete(iov[i].iov_base, static_cast<std::size_t>(res), offsets[i]);
        if (again)
          prepare(i);
        else
          --in_flight;
      }
      io_uring_cq_advance(&ring, n);
    }
  }
};

} // namespace

measurement run_raw_liburing(const config& cfg) {
  std::vector<std::unique_ptr<ring_thread>> rings;
  for (unsigned t = 0; t < cfg.threads; ++t) {
    rings.push_back(std::make_unique<ring_thread>());
    if (std::string why = rings.back()->setup(cfg, t); !why.empty())
      return failed(why);
  }
  return run_on_threads(cfg, [&](unsigned t) { rings[t]->run(cfg); });
}

} // namespace scaling

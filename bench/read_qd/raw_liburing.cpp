// Variants: a raw liburing loop, the baseline (and its tuned form: a
// registered file and SINGLE_ISSUER | DEFER_TASKRUN). QD registered buffers
// (io_uring_register_buffers), READ_FIXED; each pass submits the batch
// prepared by the previous pass and waits for at least one completion in
// one io_uring_submit_and_wait, peeks every ready CQE, and re-prepares a
// read in the same buffer for each.
#include "variants.hpp"

#include <fcntl.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

namespace read_qd {

namespace {

measurement run_raw(const config& cfg, bool tuned) {
  measurement failed;
  int fd = ::open(cfg.path.c_str(), open_flags(cfg));
  if (fd < 0) {
    failed.error = "open: " + std::string(std::strerror(errno));
    return failed;
  }
  std::size_t bytes = std::size_t{cfg.qd} * cfg.block_size;
  void* arena = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (arena == MAP_FAILED) {
    ::close(fd);
    failed.error = "mmap: " + std::string(std::strerror(errno));
    return failed;
  }
  auto* base = static_cast<std::byte*>(arena);

  io_uring ring;
  unsigned entries = std::bit_ceil(cfg.qd < 8 ? 8u : cfg.qd);
  // Tuned: what fio's t/io_uring enables by default, less SQPOLL/IOPOLL.
  unsigned flags = tuned ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN : 0;
  int r = io_uring_queue_init(entries, &ring, flags);
  if (r < 0) {
    ::munmap(arena, bytes);
    ::close(fd);
    failed.error = "io_uring_queue_init: " + std::string(std::strerror(-r));
    return failed;
  }
  std::vector<iovec> iov(cfg.qd);
  for (unsigned i = 0; i < cfg.qd; ++i)
    iov[i] = iovec{base + std::size_t{i} * cfg.block_size, cfg.block_size};
  r = io_uring_register_buffers(&ring, iov.data(), cfg.qd);
  int file = fd;
  if (r >= 0 && tuned) {
    r = io_uring_register_files(&ring, &fd, 1);
    file = 0; // the slot
  }

  window w(cfg);
  if (r < 0) {
    w.fail("io_uring_register_buffers/files: " + std::string(std::strerror(-r)));
  } else {
    std::vector<std::uint64_t> offsets(cfg.qd);
    std::vector<io_uring_cqe*> cqes(entries * 2);
    auto prepare = [&](unsigned i) {
      offsets[i] = w.next_offset();
      io_uring_sqe* sqe = io_uring_get_sqe(&ring); // never null: at most qd prepared
      io_uring_prep_read_fixed(sqe, file, iov[i].iov_base, cfg.block_size, offsets[i],
                               static_cast<int>(i));
      if (tuned)
        sqe->flags |= IOSQE_FIXED_FILE;
      io_uring_sqe_set_data64(sqe, i);
    };
    for (unsigned i = 0; i < cfg.qd; ++i)
      prepare(i);
    unsigned in_flight = cfg.qd;
    while (in_flight > 0) {
      r = io_uring_submit_and_wait(&ring, 1);
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
        w.fail("io_uring_submit_and_wait: " + std::string(std::strerror(-r)));
        break;
      }
      unsigned n = io_uring_peek_batch_cqe(&ring, cqes.data(), static_cast<unsigned>(cqes.size()));
      for (unsigned k = 0; k < n; ++k) {
        auto i = static_cast<unsigned>(io_uring_cqe_get_data64(cqes[k]));
        int res = cqes[k]->res;
        if (res < 0)
          w.fail("READ_FIXED: " + std::string(std::strerror(-res)));
        else
          w.verify(iov[i].iov_base, static_cast<std::size_t>(res), offsets[i]);
        if (w.complete())
          prepare(i);
        else
          --in_flight;
      }
      io_uring_cq_advance(&ring, n);
    }
    io_uring_unregister_buffers(&ring);
  }
  io_uring_queue_exit(&ring);
  ::munmap(arena, bytes);
  ::close(fd);
  return w.result();
}

} // namespace

measurement run_raw_liburing(const config& cfg) {
  return run_raw(cfg, false);
}

measurement run_raw_liburing_tuned(const config& cfg) {
  return run_raw(cfg, true);
}

} // namespace read_qd

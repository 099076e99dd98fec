// The interface the engine drives: the private io_uring ring or the portable
// thread pool (both compiled, src/), or Asio's own ring (header-only,
// detail/asio_ring_backend.hpp). Every member except wait() and wait_for() is called with
// the engine's lock held.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/engine.hpp>

#include <sys/uio.h>

#include <chrono>
#include <cstddef>
#include <memory>

namespace asio_uring_fixed::detail {

class backend {
 public:
  virtual ~backend() = default;

  virtual int wait_fd() const noexcept = 0;

  /// Queues op's requests; false when there is no room now (ring full).
  virtual bool prepare(operation* op) = 0;

  /// Hands queued requests to the kernel.
  virtual void flush() = 0;

  /// Moves up to max finished results to out.
  virtual std::size_t reap(completion* out, std::size_t max) = 0;

  /// True when reap() would return something.
  virtual bool ready() const = 0;

  /// Best-effort cancellation of op's requests; op completes as usual.
  virtual void cancel(operation* op) = 0;

  /// Best-effort cancellation of everything (shutdown).
  virtual void cancel_all() = 0;

  /// Blocks until ready() (shutdown only; called without the engine's lock).
  virtual void wait() = 0;

  /// As wait(), for at most timeout; false when it timed out.
  virtual bool wait_for(std::chrono::milliseconds timeout) {
    (void)timeout;
    wait();
    return true;
  }

  /// True when results do not come back through reap() but are handed to
  /// engine::deliver() by the backend's host (Asio's ring), which reaps them
  /// on its own threads. Shutdown then does not wait for them: the host
  /// drains its ring at its own shutdown and delivers them as abandoned,
  /// while the engine still exists.
  virtual bool host_delivers() const noexcept { return false; }

  /// Buffer registration: the sparse table's size (0 when unsupported) and
  /// the error that made it unsupported.
  virtual unsigned table_size() const noexcept { return 0; }
  virtual error_code table_error() const noexcept;

  /// Fills (or, with null iov_base, empties) slots [first, first + n).
  virtual error_code update_buffers(unsigned first, const iovec* iov, unsigned n);

  /// Sharing buffers between rings: the descriptor other rings clone this
  /// ring's registered buffers from, or -1 when it cannot be a source.
  virtual int clone_source_fd() const noexcept { return -1; }

  /// Makes slots [first, first + n) of this ring's table refer to the
  /// buffers in the same slots of the ring src_fd, leaving the other slots
  /// as they are (IORING_REGISTER_CLONE_BUFFERS with offsets and
  /// IORING_REGISTER_DST_REPLACE, Linux 6.13): the memory is pinned and
  /// charged to RLIMIT_MEMLOCK once, by the source. The kernel's errno, or
  /// errc::registration_unsupported where the backend cannot clone.
  virtual error_code clone_buffers(int src_fd, unsigned first, unsigned n);

  /// Single-issuer rings (IORING_SETUP_SINGLE_ISSUER): whether the kernel
  /// accepts a submission (submits_here) or a registration (registers_here)
  /// from the calling thread. Always true for other backends.
  virtual bool submits_here() const noexcept { return true; }
  virtual bool registers_here() const noexcept { return true; }

  /// Called by the reaping thread at the start of each run_once(): a
  /// single-issuer ring still disabled is enabled with this thread as its
  /// issuer; a ring that wakes through an eventfd stops signalling it
  /// (the reaping thread sees what arrives) until before_wait().
  virtual void begin_run() {}

  /// Called when a wait is armed, before the engine checks ready().
  virtual void before_wait() {}

  /// True when wait_fd() is an eventfd, which a level-triggered wait must
  /// read to reset.
  virtual bool wait_fd_is_eventfd() const noexcept { return false; }

  /// The IORING_SETUP_* flags the ring was set up with (0 when none).
  virtual unsigned setup_flags() const noexcept { return 0; }

  /// Registered files: the sparse table's size (0 when none), the error
  /// that left it out, and the update of one slot (fd -1 empties it).
  virtual unsigned file_table_size() const noexcept { return 0; }
  virtual error_code file_table_error() const noexcept;
  virtual error_code update_file(unsigned slot, int fd);
};

} // namespace asio_uring_fixed::detail

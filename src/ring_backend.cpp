// The io_uring backend: one ring, a sparse registered-buffer table,
// READ_FIXED / WRITE_FIXED (or plain READ / WRITE for unregistered buffers).
#include "backend.hpp"

#include <asio_uring_fixed/detail/prepare_request.hpp>

#include <asio_uring_fixed/error.hpp>

#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

namespace asio_uring_fixed::detail {
namespace {

// user_data of our own cancel requests, whose results nobody waits for.
constexpr std::uint64_t ignored_user_data = 0;

std::uint64_t user_data_of(operation* op, unsigned index) {
  return reinterpret_cast<std::uintptr_t>(op) | index;
}

// IORING_REGISTER_CLONE_BUFFERS (6.12) and its argument with offsets (6.13),
// spelled out: the installed kernel headers may predate them.
constexpr unsigned register_clone_buffers = 30;
constexpr std::uint32_t clone_dst_replace = 1u << 1; // IORING_REGISTER_DST_REPLACE
struct clone_buffers_arg {
  std::uint32_t src_fd;
  std::uint32_t flags;
  std::uint32_t src_off;
  std::uint32_t dst_off;
  std::uint32_t nr;
  std::uint32_t pad[3];
};

constexpr unsigned default_flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP;

// Added by service_options::single_issuer. COOP_TASKRUN still helps when
// DEFER_TASKRUN is refused; the kernel accepts both together.
constexpr unsigned single_issuer_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                                         IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;

// Flags a kernel may not know, newest first: dropped one at a time on EINVAL.
constexpr unsigned droppable_flags[] = {
    IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_COOP_TASKRUN,  IORING_SETUP_SUBMIT_ALL,    IORING_SETUP_CLAMP,
};

class ring_backend final : public backend {
 public:
  ring_backend() = default;
  ring_backend(const ring_backend&) = delete;
  ring_backend& operator=(const ring_backend&) = delete;

  ~ring_backend() override {
    if (initialized_)
      io_uring_queue_exit(&ring_);
    if (event_fd_ >= 0)
      ::close(event_fd_);
  }

  error_code init(const service_options& options) {
    unsigned flags = options.setup_flags.value_or(default_flags);
    if (options.single_issuer)
      flags |= single_issuer_flags;
    // The issuer is the thread that enables the ring: the one that runs the
    // io_context (begin_run), not the one that creates the service.
    if (flags & IORING_SETUP_SINGLE_ISSUER)
      flags |= IORING_SETUP_R_DISABLED;
    int res;
    for (;;) {
      io_uring_params params{};
      params.flags = flags;
      res = io_uring_queue_init_params(options.ring_entries, &ring_, &params);
      if (res != -EINVAL)
        break;
      unsigned dropped = 0;
      for (unsigned f : droppable_flags)
        if (flags & f) {
          dropped = f;
          break;
        }
      if (dropped == 0)
        break;
      // DEFER_TASKRUN requires SINGLE_ISSUER: drop them together.
      if (dropped == IORING_SETUP_SINGLE_ISSUER)
        flags &= ~(IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED);
      flags &= ~dropped;
    }
    if (res < 0)
      return error_code(-res, system_category());
    initialized_ = true;
    setup_flags_ = flags;
    single_issuer_ = (flags & IORING_SETUP_SINGLE_ISSUER) != 0;
    defer_taskrun_ = (flags & IORING_SETUP_DEFER_TASKRUN) != 0;
    // SINGLE_ISSUER (6.0) implies IORING_ASYNC_CANCEL_ANY (5.19); a disabled
    // ring could not run the probe anyway.
    if (!single_issuer_ && !cancels_any())
      return make_error_code(errc::unsupported_kernel);
    if (defer_taskrun_) {
      // Deferred completions do not make the ring descriptor readable (seen
      // on 6.18), but they do signal a registered eventfd.
      event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (event_fd_ < 0)
        return error_code(errno, system_category());
      int r = io_uring_register_eventfd(&ring_, event_fd_);
      if (r < 0)
        return error_code(-r, system_category());
    }
    if (options.registered_file_slots > 0) {
      int r = io_uring_register_files_sparse(&ring_, options.registered_file_slots);
      if (r == 0)
        file_table_size_ = options.registered_file_slots;
      else
        file_table_error_ = error_code(-r, system_category());
    } else {
      file_table_error_ = make_error_code(errc::registration_unsupported);
    }

    if (options.registered_buffer_slots == 0) {
      table_error_ = make_error_code(errc::registration_unsupported);
    } else {
      int r = io_uring_register_buffers_sparse(&ring_, options.registered_buffer_slots);
      if (r == 0)
        table_size_ = options.registered_buffer_slots;
      else
        table_error_ = error_code(-r, system_category());
    }
    return {};
  }

  int wait_fd() const noexcept override { return event_fd_ >= 0 ? event_fd_ : ring_.ring_fd; }

  bool submits_here() const noexcept override {
    return !single_issuer_ || (enabled_ && issuer_ == std::this_thread::get_id());
  }

  bool registers_here() const noexcept override {
    return !single_issuer_ || !enabled_ || issuer_ == std::this_thread::get_id();
  }

  void begin_run() override {
    if (single_issuer_ && !enabled_) {
      // IORING_REGISTER_ENABLE_RINGS (5.10); liburing 2.3 declares
      // io_uring_enable_rings() but its shared library lacks it.
      if (::syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr,
                    0) == 0) {
        enabled_ = true;
        issuer_ = std::this_thread::get_id();
      }
    }
    // While this thread reaps, completions need no wake-up: no eventfd
    // signal per batch of inline completions (IORING_CQ_EVENTFD_DISABLED).
    if (event_fd_ >= 0)
      io_uring_cq_eventfd_toggle(&ring_, false);
  }

  void before_wait() override {
    if (event_fd_ >= 0)
      io_uring_cq_eventfd_toggle(&ring_, true);
  }

  bool wait_fd_is_eventfd() const noexcept override { return event_fd_ >= 0; }

  unsigned setup_flags() const noexcept override { return setup_flags_; }

  bool prepare(operation* op) override {
    unsigned n = op->request_count_;
    if (io_uring_sq_space_left(&ring_) < n) {
      flush();
      if (io_uring_sq_space_left(&ring_) < n)
        return false;
    }
    for (unsigned i = 0; i < n; ++i) {
      const io_request& r = op->requests_[i];
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      prepare_request(sqe, r, r.buffer_slot);
      if (i + 1 < n)
        sqe->flags |= IOSQE_IO_LINK;
      io_uring_sqe_set_data64(sqe, user_data_of(op, i));
    }
    return true;
  }

  void flush() override {
    // Errors (EAGAIN/EBUSY when the completion side is backed up) leave the
    // entries queued; the next flush after reaping submits them.
    if (io_uring_sq_ready(&ring_) > 0 && submits_here())
      io_uring_submit(&ring_);
  }

  std::size_t reap(completion* out, std::size_t max) override {
    // DEFER_TASKRUN: completions wait as task work until the issuer asks
    // for them; the kernel says so with IORING_SQ_TASKRUN (TASKRUN_FLAG).
    if (defer_taskrun_ && task_work_pending() && submits_here())
      io_uring_get_events(&ring_);
    std::size_t count = 0;
    unsigned seen = 0;
    unsigned head;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      if (count == max)
        break;
      ++seen;
      std::uint64_t data = io_uring_cqe_get_data64(cqe);
      if (data == ignored_user_data)
        continue;
      out[count++] = {reinterpret_cast<operation*>(data & ~std::uint64_t{3}),
                      static_cast<unsigned>(data & 3), cqe->res};
    }
    io_uring_cq_advance(&ring_, seen);
    // More completions than the CQ holds wait in the kernel's overflow list
    // (IORING_FEAT_NODROP) until the next io_uring_enter: fetch them.
    if (count < max && io_uring_cq_has_overflow(&ring_) && submits_here())
      io_uring_get_events(&ring_);
    return count;
  }

  bool ready() const override {
    return io_uring_cq_ready(&ring_) > 0 || io_uring_cq_has_overflow(&ring_) ||
           (defer_taskrun_ && task_work_pending());
  }

  void cancel(operation* op) override {
    // Submitted at once, under the engine's lock: the kernel matches the
    // user_data before the target's memory can be reused. On a
    // single-issuer ring from another thread it stays queued until the
    // issuer's next flush: still safe, since an operation that reuses the
    // target's address is queued after it and the kernel takes SQEs in order.
    for (unsigned i = 0; i < op->request_count_; ++i)
      submit_cancel(user_data_of(op, i), 0);
    if (submits_here())
      io_uring_submit(&ring_);
  }

  void cancel_all() override {
    submit_cancel(0, IORING_ASYNC_CANCEL_ANY);
    if (submits_here())
      io_uring_submit(&ring_);
  }

  void wait() override {
    io_uring_cqe* cqe;
    while (io_uring_wait_cqe(&ring_, &cqe) == -EINTR) {
    }
  }

  bool wait_for(std::chrono::milliseconds timeout) override {
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000;
    ts.tv_nsec = (timeout.count() % 1000) * 1000000;
    io_uring_cqe* cqe;
    int r = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
    return r != -ETIME;
  }

  unsigned table_size() const noexcept override { return table_size_; }
  error_code table_error() const noexcept override { return table_error_; }

  error_code update_buffers(unsigned first, const iovec* iov, unsigned n) override {
    int r = io_uring_register_buffers_update_tag(&ring_, first, iov, nullptr, n);
    if (r < 0)
      return error_code(-r, system_category());
    return {};
  }

  int clone_source_fd() const noexcept override { return ring_.ring_fd; }

  error_code clone_buffers(int src_fd, unsigned first, unsigned n) override {
    // liburing 2.3 has no wrapper for IORING_REGISTER_CLONE_BUFFERS (and
    // io_uring_clone_buffers_offset() of later versions is the same call).
    // Kernels before 6.13 refuse the offsets and DST_REPLACE with EINVAL,
    // before 6.12 the opcode itself: the caller then registers again.
    clone_buffers_arg arg{};
    arg.src_fd = static_cast<std::uint32_t>(src_fd);
    arg.flags = clone_dst_replace;
    arg.src_off = first;
    arg.dst_off = first;
    arg.nr = n;
    long r = ::syscall(__NR_io_uring_register, ring_.ring_fd, register_clone_buffers, &arg, 1);
    if (r < 0)
      return error_code(errno, system_category());
    return {};
  }

  unsigned file_table_size() const noexcept override { return file_table_size_; }
  error_code file_table_error() const noexcept override { return file_table_error_; }

  error_code update_file(unsigned slot, int fd) override {
    int r = io_uring_register_files_update(&ring_, slot, &fd, 1);
    if (r < 0)
      return error_code(-r, system_category());
    return {};
  }

 private:
  bool task_work_pending() const noexcept {
    return (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN) != 0;
  }

  // Shutdown cancels with IORING_ASYNC_CANCEL_ANY (kernel 5.19): without it
  // a request that never completes by itself (a read on an idle pipe) would
  // keep shutdown waiting for ever. An empty ring answers a supported
  // request with -ENOENT and an unknown flag with -EINVAL.
  bool cancels_any() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe)
      return false;
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, ignored_user_data);
    if (io_uring_submit(&ring_) != 1)
      return false;
    io_uring_cqe* cqe;
    int r;
    while ((r = io_uring_wait_cqe(&ring_, &cqe)) == -EINTR) {
    }
    if (r < 0)
      return false;
    int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    return res == -ENOENT || res == 0;
  }

  void submit_cancel(std::uint64_t target, int flags) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe && submits_here()) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
      if (!sqe)
        return; // best effort: the target still completes on its own
    }
    io_uring_prep_cancel64(sqe, target, flags);
    io_uring_sqe_set_data64(sqe, ignored_user_data);
  }

  // mutable: liburing's accessors take non-const pointers.
  mutable io_uring ring_{};
  bool initialized_ = false;
  unsigned setup_flags_ = 0;
  unsigned table_size_ = 0;
  error_code table_error_;
  unsigned file_table_size_ = 0;
  error_code file_table_error_;
  // Single issuer: enabled_ and issuer_ change once, in begin_run(), under
  // the engine's lock, as every reader holds it.
  bool single_issuer_ = false;
  bool defer_taskrun_ = false;
  bool enabled_ = false;
  std::thread::id issuer_;
  int event_fd_ = -1;
};

} // namespace

error_code backend::table_error() const noexcept {
  return make_error_code(errc::registration_unsupported);
}

error_code backend::update_buffers(unsigned, const iovec*, unsigned) {
  return make_error_code(errc::registration_unsupported);
}

error_code backend::clone_buffers(int, unsigned, unsigned) {
  return make_error_code(errc::registration_unsupported);
}

error_code backend::file_table_error() const noexcept {
  return make_error_code(errc::registration_unsupported);
}

error_code backend::update_file(unsigned, int) {
  return make_error_code(errc::registration_unsupported);
}

std::unique_ptr<backend> make_ring_backend(const service_options& options, error_code& ec) {
  auto b = std::make_unique<ring_backend>();
  ec = b->init(options);
  if (ec)
    return nullptr;
  return b;
}

} // namespace asio_uring_fixed::detail

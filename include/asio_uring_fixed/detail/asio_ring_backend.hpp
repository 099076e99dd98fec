// The backend on Asio's own io_uring rings (Asio-ring mode, see asio_ring.hpp
// and upstream-proposal/backports-1.81/ASIO_RING_MODE.md). Header-only: it is
// compiled with the program's Asio configuration.
//
// Each kernel request becomes an io_uring_operation started with
// io_uring_service::start_unordered_op() on one I/O object of this backend.
// Asio submits it to the ring of the thread that starts it (with several
// rings, reaped there too), and its completion hands the result to
// engine::deliver(). Pools register their memory in slots reserved in the
// context's table with registered_buffer_slots, which fills the same slots on
// every ring.
//
// Locking: the backend's mutex_ guards operation::backend_request_ (the
// request in flight, or waiting for room), the waiting list and the start of
// every request not made under the engine's lock. Order: the engine's lock,
// then mutex_, then Asio's own locks; do_complete() runs with none held.
#pragma once

#include <asio_uring_fixed/detail/asio_ring.hpp>

#if ASIO_URING_FIXED_HAS_ASIO_RING

#include <asio_uring_fixed/detail/backend.hpp>
#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/detail/prepare_request.hpp>
#include <asio_uring_fixed/error.hpp>

#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio/buffer.hpp>
#include <asio/detail/io_uring_operation.hpp>
#include <asio/detail/io_uring_service.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/recycling_allocator.hpp>
#include <asio/registered_buffer_slots.hpp>
#else
#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/io_uring_operation.hpp>
#include <boost/asio/detail/io_uring_service.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/registered_buffer_slots.hpp>
#endif

#include <liburing.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

namespace asio_uring_fixed::detail {

class asio_ring_backend;

/// Asio's errno values in the library's system_category(): standalone Asio
/// reports them in a category of its own ("asio.system").
inline error_code errno_code(const error_code& ec) {
  if (ec && ec.category() == asio::error::get_system_category())
    return error_code(ec.value(), system_category());
  return ec;
}

/// One kernel request of an operation, as an operation of Asio's ring.
class asio_request_op final : public asio::detail::io_uring_operation {
 public:
  asio_request_op(asio_ring_backend* backend, operation* op, unsigned index) noexcept
      : asio::detail::io_uring_operation(error_code(), &do_prepare, &do_perform, &do_complete),
        backend_(backend), op_(op), index_(index) {
    cancellation_key_ = op; // what Boost 1.81's cancel_unordered_op_by_key() finds
  }

  static asio_request_op* make(asio_ring_backend* backend, operation* op, unsigned index) {
    allocator alloc;
    asio_request_op* mem = std::allocator_traits<allocator>::allocate(alloc, 1);
    return ::new (static_cast<void*>(mem)) asio_request_op(backend, op, index);
  }

  static void destroy(asio_request_op* r) noexcept {
    allocator alloc;
    r->~asio_request_op();
    std::allocator_traits<allocator>::deallocate(alloc, r, 1);
  }

  /// The linked write of a copy step, made with the read so that handing
  /// over from the read to the write cannot fail for lack of memory.
  asio_request_op* second_ = nullptr;

 private:
  friend class asio_ring_backend;
  using allocator = asio::recycling_allocator<asio_request_op>;

  static void do_prepare(asio::detail::io_uring_operation* base, ::io_uring_sqe* sqe);
  static bool do_perform(asio::detail::io_uring_operation*, bool after_completion) {
    return after_completion; // submit once, complete on the CQE
  }
  static void do_complete(void* owner, asio::detail::operation* base, const error_code&,
                          std::size_t);

  asio_ring_backend* backend_;
  operation* op_;
  unsigned index_;
  /// Set when Asio took a submission queue entry for it: a completion without
  /// one is Asio saying the ring had no room (no_buffer_space).
  bool prepared_ = false;
  /// In the backend's waiting list (next_waiting_ links it).
  bool waiting_ = false;
  asio_request_op* next_waiting_ = nullptr;
};

class asio_ring_backend final : public backend {
 public:
  /// Throws what use_service<io_uring_service> throws when Asio's ring
  /// cannot be set up.
  asio_ring_backend(asio::io_context& context, engine& owner, const service_options& options)
      : context_(context), service_(asio::use_service<asio::detail::io_uring_service>(context)),
        engine_(owner) {
    service_.register_io_object(io_object_);
    if (options.registered_buffer_slots == 0) {
      table_error_ = make_error_code(errc::registration_unsupported);
      return;
    }
    try {
      slots_.emplace(context, options.registered_buffer_slots);
      slot_base_ = slots_->id(0).native_handle();
      table_size_ = options.registered_buffer_slots;
    } catch (const system_error& e) {
      table_error_ = errno_code(e.code());
    }
  }

  // The I/O object is not deregistered: Asio's shutdown, which always comes
  // before this destructor, has freed it (see ASIO_RING_MODE.md).
  ~asio_ring_backend() override = default;

  int wait_fd() const noexcept override { return -1; }
  bool host_delivers() const noexcept override { return true; }

  // Called with the engine's lock held, as is cancel(): the engine has just
  // checked that op is not cancelled, and a cancel() cannot come in between.
  bool prepare(operation* op) override {
    asio_request_op* first;
    try {
      first = asio_request_op::make(this, op, 0);
      if (op->request_count_ > 1) {
        try {
          first->second_ = asio_request_op::make(this, op, 1);
        } catch (...) {
          asio_request_op::destroy(first);
          throw;
        }
      }
    } catch (const std::bad_alloc&) {
      return false; // the engine keeps it in its backlog and tries again
    }
    std::lock_guard lock(mutex_);
    op->backend_request_ = first;
    service_.start_unordered_op(io_object_, first, false);
    return true;
  }

  void flush() override {} // Asio batches submissions itself

  /// Results come through engine::deliver(), except at shutdown: then
  /// requests still waiting for room complete here with ECANCELED (the
  /// posted retry that would have started them is destroyed unrun).
  std::size_t reap(completion* out, std::size_t max) override {
    if (!engine_.is_shut_down())
      return 0;
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    while (waiting_ && n + 2 <= max) {
      asio_request_op* r = waiting_;
      waiting_ = r->next_waiting_;
      r->op_->backend_request_ = nullptr;
      out[n++] = {r->op_, r->index_, -ECANCELED};
      if (r->second_) {
        out[n++] = {r->op_, 1, -ECANCELED};
        asio_request_op::destroy(r->second_);
      }
      asio_request_op::destroy(r);
    }
    return n;
  }

  bool ready() const override { return false; }

  // cancel_requested_ is already set (engine::cancel()). A request started
  // later without the engine's lock (a copy step's write, a retry) checks it
  // under mutex_ first, so the cancellation cannot fall in between.
  void cancel(operation* op) override {
    std::lock_guard lock(mutex_);
    auto* r = static_cast<asio_request_op*>(op->backend_request_);
    if (!r)
      return; // between two requests: the next one is not started
    if (r->waiting_) {
      schedule_retry_locked(); // the retry completes it with ECANCELED
      return;
    }
#if defined(ASIO_URING_FIXED_STANDALONE)
    // The request's memory lives until its completion clears
    // backend_request_ under mutex_, which we hold; Asio checks that it is
    // still in flight.
    service_.cancel_unordered_op(io_object_, r);
#else
    service_.cancel_unordered_op_by_key(io_object_, op); // Boost 1.81 series
#endif
  }

  void cancel_all() override {} // Asio's shutdown cancels every request
  void wait() override {}       // never called: host_delivers()

  unsigned table_size() const noexcept override {
    return table_size_;
  }
  error_code table_error() const noexcept override {
    return table_error_;
  }

  error_code update_buffers(unsigned first, const iovec* iov, unsigned n) override {
    error_code ec;
    if (iov[0].iov_base == nullptr) {
      for (unsigned i = 0; i < n; ++i)
        slots_->clear(first + i);
      return ec;
    }
    std::vector<asio::mutable_buffer> buffers;
    buffers.reserve(n);
    for (unsigned i = 0; i < n; ++i)
      buffers.emplace_back(iov[i].iov_base, iov[i].iov_len);
    slots_->assign(first, buffers, ec);
    return errno_code(ec);
  }

  int asio_slot(int slot) const noexcept {
    return slot < 0 ? -1 : slot_base_ + slot;
  }

 private:
  friend class asio_request_op;

  /// Asio found no submission queue entry for r: it waits in the backend
  /// until a retry, posted to the context, starts it again.
  void wait_for_room(asio_request_op* r) {
    std::lock_guard lock(mutex_);
    r->waiting_ = true;
    r->next_waiting_ = waiting_;
    waiting_ = r;
    schedule_retry_locked();
  }

  void schedule_retry_locked() {
    if (retry_posted_)
      return;
    retry_posted_ = true;
    // Runs after Asio's ring task has had a turn to submit and reap. At
    // shutdown it is destroyed unrun; engine::shutdown() has reaped the
    // waiting requests by then.
    asio::post(context_, [this] { retry(); });
  }

  void retry() {
    asio_request_op* list;
    {
      std::lock_guard lock(mutex_);
      retry_posted_ = false;
      list = waiting_;
      waiting_ = nullptr;
    }
    while (list) {
      asio_request_op* r = list;
      list = r->next_waiting_;
      r->next_waiting_ = nullptr;
      start_unlocked(r);
    }
  }

  /// Starts r without the engine's lock (a retry, or a copy step's write),
  /// unless op was cancelled or the engine shut down: then r and its unsent
  /// write complete with ECANCELED.
  void start_unlocked(asio_request_op* r) {
    operation* op = r->op_;
    {
      std::lock_guard lock(mutex_);
      r->waiting_ = false;
      if (!op->cancel_requested_.load(std::memory_order_relaxed) && !engine_.is_shut_down()) {
        r->prepared_ = false;
        r->ec_ = error_code();
        op->backend_request_ = r;
        service_.start_unordered_op(io_object_, r, false);
        return;
      }
      op->backend_request_ = nullptr;
    }
    unsigned index = r->index_;
    asio_request_op* second = r->second_;
    asio_request_op::destroy(r);
    engine_.deliver(op, index, -ECANCELED, false);
    if (second) {
      asio_request_op::destroy(second);
      engine_.deliver(op, 1, -ECANCELED, false);
    }
  }

  /// A request finished (or, with abandoned, was destroyed by Asio's
  /// shutdown). r is still allocated.
  void on_complete(asio_request_op* r, int result, bool abandoned) {
    if (!abandoned && !r->prepared_ && result == -ENOBUFS && !engine_.is_shut_down()) {
      wait_for_room(r); // Asio had no room in the ring: try again later
      return;
    }
    operation* op = r->op_;
    unsigned index = r->index_;
    asio_request_op* second = r->second_;
    {
      std::lock_guard lock(mutex_);
      if (op->backend_request_ == r)
        op->backend_request_ = nullptr;
    }
    asio_request_op::destroy(r); // memory before the upcall
    if (!second) {
      engine_.deliver(op, index, result, abandoned);
      return;
    }
    // A copy step's read: the write follows only after a full read, as with
    // IOSQE_IO_LINK; else it fails with ECANCELED without being submitted.
    bool full = !abandoned && link_continues(*op, result);
    engine_.deliver(op, 0, result, abandoned); // op lives: one result to go
    if (full) {
      start_unlocked(second);
      return;
    }
    asio_request_op::destroy(second);
    engine_.deliver(op, 1, -ECANCELED, abandoned);
  }

  asio::io_context& context_;
  asio::detail::io_uring_service& service_;
  asio::detail::io_uring_service::per_io_object_data io_object_ = nullptr;
  engine& engine_;
  std::mutex mutex_;
  asio_request_op* waiting_ = nullptr; // requests Asio had no room for
  bool retry_posted_ = false;
  std::optional<asio::registered_buffer_slots> slots_;
  int slot_base_ = 0;
  unsigned table_size_ = 0;
  error_code table_error_;
};

inline void asio_request_op::do_prepare(asio::detail::io_uring_operation* base,
                                        ::io_uring_sqe* sqe) {
  auto* r = static_cast<asio_request_op*>(base);
  r->prepared_ = true;
  const io_request& q = r->op_->requests_[r->index_];
  prepare_request(sqe, q, r->backend_->asio_slot(q.buffer_slot));
}

inline void asio_request_op::do_complete(void* owner, asio::detail::operation* base,
                                         const error_code&, std::size_t) {
  auto* r = static_cast<asio_request_op*>(base);
  // Asio turns a CQE's negative result into ec_ (system category).
  int result = r->ec_ ? -r->ec_.value() : static_cast<int>(r->bytes_transferred_);
  bool abandoned = owner == nullptr;
  if (abandoned)
    result = -ECANCELED;
  r->backend_->on_complete(r, result, abandoned);
}

/// The ring factory uring_service gives its engine in Asio-ring mode.
inline std::unique_ptr<backend> make_asio_ring_backend(void* context, engine& owner,
                                                       const service_options& options,
                                                       error_code& ec) {
  try {
    return std::make_unique<asio_ring_backend>(*static_cast<asio::io_context*>(context), owner,
                                               options);
  } catch (const system_error& e) {
    ec = errno_code(e.code());
    return nullptr;
  }
}

} // namespace asio_uring_fixed::detail

#endif // ASIO_URING_FIXED_HAS_ASIO_RING

// The backend on Asio's own io_uring (Asio-ring mode, see asio_ring.hpp and
// upstream-proposal/backports-1.81/ASIO_RING_MODE.md). Header-only: it is compiled with the
// program's Asio configuration. Each request becomes an io_uring_operation
// started with io_uring_service::start_unordered_op() on one I/O object of
// this service; its completion hands the result to engine::deliver(). Pools
// register their memory in slots reserved in Asio's table with
// registered_buffer_slots.
#pragma once

#include <asio_uring_fixed/detail/asio_ring.hpp>

#if ASIO_URING_FIXED_HAS_ASIO_RING

#include <asio_uring_fixed/detail/backend.hpp>
#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/detail/prepare_request.hpp>
#include <asio_uring_fixed/error.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/io_uring_operation.hpp>
#include <boost/asio/detail/io_uring_service.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/registered_buffer_slots.hpp>

#include <liburing.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

namespace asio_uring_fixed::detail {

class asio_ring_backend;

/// One kernel request of an operation, as an operation of Asio's ring.
class asio_request_op final : public asio::detail::io_uring_operation {
 public:
  asio_request_op(asio_ring_backend* backend, operation* op, unsigned index) noexcept
      : asio::detail::io_uring_operation(error_code(), &do_prepare, &do_perform, &do_complete),
        backend_(backend), op_(op), index_(index) {
    cancellation_key_ = op; // cancel_unordered_op_by_key(op) finds it
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
};

class asio_ring_backend final : public backend {
 public:
  /// Throws what use_service<io_uring_service> throws when Asio's ring
  /// cannot be set up.
  asio_ring_backend(asio::io_context& context, engine& owner, const service_options& options)
      : service_(asio::use_service<asio::detail::io_uring_service>(context)), engine_(owner) {
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
      table_error_ = e.code();
    }
  }

  // The I/O object is not deregistered: Asio's shutdown, which always comes
  // before this destructor, has freed it (see ASIO_RING_MODE.md).
  ~asio_ring_backend() override = default;

  int wait_fd() const noexcept override { return -1; }
  bool host_delivers() const noexcept override { return true; }

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
    service_.start_unordered_op(io_object_, first, false);
    return true;
  }

  void flush() override {} // Asio batches submissions itself
  std::size_t reap(completion*, std::size_t) override { return 0; }
  bool ready() const override { return false; }

  void cancel(operation* op) override {
    // cancel_requested_ is already set: see hand_over().
    std::lock_guard lock(link_mutex_);
    service_.cancel_unordered_op_by_key(io_object_, op);
  }

  void cancel_all() override {} // Asio's shutdown cancels every request
  void wait() override {}       // never called: host_delivers()

  unsigned table_size() const noexcept override { return table_size_; }
  error_code table_error() const noexcept override { return table_error_; }

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
    return ec;
  }

  int asio_slot(int slot) const noexcept { return slot < 0 ? -1 : slot_base_ + slot; }

  /// A request finished (or, with abandoned, was destroyed by Asio's
  /// shutdown after its CQE). second is the unused write of a copy step.
  void on_result(operation* op, unsigned index, int result, bool abandoned,
                 asio_request_op* second) {
    if (!second) {
      engine_.deliver(op, index, result, abandoned);
      return;
    }
    // A copy step's read: the write follows only after a full read, as with
    // IOSQE_IO_LINK; else it fails with ECANCELED without being submitted.
    bool full = !abandoned && link_continues(*op, result);
    engine_.deliver(op, 0, result, abandoned); // op lives: one result to go
    if (full) {
      std::lock_guard lock(link_mutex_);
      // engine::cancel() sets cancel_requested_ before taking link_mutex_:
      // either it sees the write in Asio's list, or the write is not sent.
      if (!op->cancel_requested_.load(std::memory_order_relaxed) && !engine_.is_shut_down()) {
        service_.start_unordered_op(io_object_, second, false);
        return;
      }
    }
    asio_request_op::destroy(second);
    engine_.deliver(op, 1, -ECANCELED, abandoned);
  }

 private:
  asio::detail::io_uring_service& service_;
  asio::detail::io_uring_service::per_io_object_data io_object_ = nullptr;
  engine& engine_;
  std::mutex link_mutex_;
  std::optional<asio::registered_buffer_slots> slots_;
  int slot_base_ = 0;
  unsigned table_size_ = 0;
  error_code table_error_;
};

inline void asio_request_op::do_prepare(asio::detail::io_uring_operation* base,
                                        ::io_uring_sqe* sqe) {
  auto* r = static_cast<asio_request_op*>(base);
  const io_request& q = r->op_->requests_[r->index_];
  prepare_request(sqe, q, r->backend_->asio_slot(q.buffer_slot));
}

inline void asio_request_op::do_complete(void* owner, asio::detail::operation* base,
                                         const error_code&, std::size_t) {
  auto* r = static_cast<asio_request_op*>(base);
  asio_ring_backend* backend = r->backend_;
  operation* op = r->op_;
  unsigned index = r->index_;
  asio_request_op* second = r->second_;
  // Asio turns a CQE's negative result into ec_ (system category).
  int result = r->ec_ ? -r->ec_.value() : static_cast<int>(r->bytes_transferred_);
  bool abandoned = owner == nullptr;
  if (abandoned)
    result = -ECANCELED;
  destroy(r); // memory before the upcall
  backend->on_result(op, index, result, abandoned, second);
}

/// The ring factory uring_service gives its engine in Asio-ring mode.
inline std::unique_ptr<backend> make_asio_ring_backend(void* context, engine& owner,
                                                       const service_options& options,
                                                       error_code& ec) {
  try {
    return std::make_unique<asio_ring_backend>(*static_cast<asio::io_context*>(context), owner,
                                               options);
  } catch (const system_error& e) {
    ec = e.code();
    return nullptr;
  }
}

} // namespace asio_uring_fixed::detail

#endif // ASIO_URING_FIXED_HAS_ASIO_RING

// The one completion shell of every operation (read/write, the _all loops,
// the copy step, async_acquire), on both of its paths:
//
//   complete: withdraw the cancellation key, move the handler, its work and
//             the results out of the operation, free the operation's memory
//             with the handler's allocator, then call the handler on its
//             executor;
//   destroy:  (shutdown) the same, except that the handler is destroyed,
//             not called, after the memory is freed.
//
// The memory is freed while the moved-out handler is alive on both paths: a
// sub-object of the handler may be the true owner of the memory its
// allocator hands out (Asio's rule, and asio-grpc's AllocationGuard).
#pragma once

#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>

#include <memory>
#include <utility>

namespace asio_uring_fixed::detail {

/// Destroys op and frees its memory with handler's associated allocator
/// (handler: the op's handler, already moved out of it).
template <typename Op>
void free_op(Op* op, const typename Op::handler_type& handler) noexcept {
  using alloc_type = op_allocator_t<Op, typename Op::handler_type>;
  alloc_type alloc(op_allocator(handler));
  op->~Op();
  std::allocator_traits<alloc_type>::deallocate(alloc, op, 1);
}

/// Withdraws op's cancellation key (before its memory can be reused).
inline void forget_cancellation(operation* op) noexcept {
  if (op->cancel_key_ != 0)
    op->cancel_engine_->disable_cancellation(op);
}

/// The complete path. args are taken by value, so results that live in op
/// (the lease) are moved out before op is freed.
template <typename Op, typename... Args>
void complete_op(Op* op, Args... args) {
  forget_cancellation(op);
  typename Op::handler_type handler(std::move(op->handler_));
  auto work(std::move(op->work_));
  free_op(op, handler);
  work.complete(handler, std::move(args)...);
}

/// The destroy path (shutdown, or a failed start): the handler is destroyed
/// without being called, after op's memory is freed. The lease op owns goes
/// back to its pool when op is destroyed.
template <typename Op>
void destroy_op(Op* op) noexcept {
  forget_cancellation(op);
  typename Op::handler_type handler(std::move(op->handler_));
  auto work(std::move(op->work_));
  free_op(op, handler);
}

} // namespace asio_uring_fixed::detail

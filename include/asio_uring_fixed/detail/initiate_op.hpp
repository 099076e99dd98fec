// The common start of an engine operation: report an empty lease through the
// handler's executor, else allocate the operation with the handler's
// allocator, hook up cancellation and hand it to the lease's engine.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/immediate.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/error.hpp>
#include <asio_uring_fixed/fixed_buffer.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <type_traits>
#include <utility>

namespace asio_uring_fixed::detail {

inline uring_service& service_of(const fixed_buffer& buffer) noexcept {
  return *static_cast<uring_service*>(lease_access::pool(buffer)->owner().owner_context());
}

/// Completes handler with errc::empty_buffer, never inline: on its associated
/// executor (the system executor if it has none; no io_context is known).
template <typename Handler>
void post_empty_buffer(Handler&& handler) {
  post_immediate(std::forward<Handler>(handler), asio::system_executor(),
                 make_error_code(errc::empty_buffer), std::size_t{0}, fixed_buffer());
}

/// Constructs Op<Handler, io executor>(handler, io executor, args...,
/// buffer) and starts it on the buffer's engine.
template <template <typename, typename> class Op, typename Handler, typename... Args>
void initiate_engine_op(Handler&& handler, fixed_buffer&& buffer, Args&&... args) {
  if (!buffer)
    return post_empty_buffer(std::forward<Handler>(handler));
  using handler_t = std::decay_t<Handler>;
  using op_type = Op<handler_t, asio::io_context::executor_type>;
  uring_service& service = service_of(buffer);
  handler_t h(std::forward<Handler>(handler));
  op_type* op = make_op<op_type>(std::move(h), service.get_executor(), std::forward<Args>(args)...,
                                 std::move(buffer));
  install_cancellation<engine_cancel_handler>(op->handler_, service.engine(), op);
  service.engine().start(op);
}

} // namespace asio_uring_fixed::detail

// The common start of every operation: the checks that fail an operation
// before it reaches the engine (reported through the handler's executor,
// never inline), the allocation of the operation with the handler's
// allocator, and the cancellation hook-up, undone if it throws.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>
#include <asio_uring_fixed/fixed_buffer.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace asio_uring_fixed::detail {

/// Stands for "no executor known" in the associated-executor trait.
struct no_executor {};

template <typename Handler>
inline constexpr bool has_associated_executor =
    !std::is_same_v<asio::associated_executor_t<std::decay_t<Handler>, no_executor>, no_executor>;

/// The file object's executor (asio::random_access_file, stream_descriptor,
/// ...), or no_executor for raw descriptors and asio_uring_fixed::file.
template <typename File>
auto file_executor(File& f) {
  if constexpr (requires { f.get_executor(); })
    return f.get_executor();
  else
    return no_executor{};
}

/// Completes handler(args...) through, in order of preference, its
/// associated executor, the file's executor, or the lease's io_context.
/// Never inline. Throws system_error(errc::empty_buffer) when none is known
/// (a default-constructed lease, a raw descriptor and an unbound handler):
/// there is no io_context to complete on.
template <typename Handler, typename FileExecutor, typename... Args>
void post_immediate(Handler&& handler, const FileExecutor& file_ex, const fixed_buffer& lease,
                    Args&&... args) {
  auto post_to = [&](const auto& ex) {
    asio::post(ex, asio::append(std::forward<Handler>(handler), std::forward<Args>(args)...));
  };
  if constexpr (has_associated_executor<Handler>)
    post_to(asio::get_associated_executor(handler));
  else if constexpr (!std::is_same_v<FileExecutor, no_executor>)
    post_to(file_ex);
  else if (asio::io_context* context = lease_access::context(lease))
    post_to(context->get_executor());
  else
    throw system_error(make_error_code(errc::empty_buffer),
                       "asio_uring_fixed: an operation was given a default-constructed lease, "
                       "a raw descriptor and a handler with no associated executor: there is "
                       "no io_context to complete it on (bind one with asio::bind_executor)");
}

/// The io_context an executor belongs to, when that is known statically (an
/// io_context executor, a strand of one, any_io_executor wrapping one).
template <typename Executor>
const asio::io_context* io_context_of(const Executor& ex) noexcept {
  if constexpr (std::is_same_v<Executor, asio::any_io_executor>) {
    if (const auto* target = ex.template target<asio::io_context::executor_type>())
      return &target->context();
    return nullptr;
  } else if constexpr (asio::can_query<const Executor&, asio::execution::context_t>::value) {
    using context_type = decltype(asio::query(ex, asio::execution::context));
    if constexpr (std::is_same_v<std::remove_cvref_t<context_type>, asio::io_context>)
      return &asio::query(ex, asio::execution::context);
    else
      return nullptr;
  } else {
    return nullptr;
  }
}

/// The io_context handler is bound to, when its associated executor names
/// one; else null.
template <typename Handler>
const asio::io_context* bound_context(const Handler& handler) noexcept {
  if constexpr (has_associated_executor<Handler>)
    return io_context_of(asio::get_associated_executor(handler));
  else
    return nullptr;
}

/// The member of pool an operation runs on: a ring of the context the
/// handler is bound to (-1 when the pool does not serve it), else of the
/// file's executor's context, else of the context whose run() is on this
/// thread, else of the pool's home; among that context's rings, the one the
/// service gives this thread (uring_service::engine_for_this_thread()).
template <typename Handler, typename FileExecutor>
int member_for(const pool_state& pool, const Handler& handler, const FileExecutor& file_ex) {
  auto context_of = [&](std::size_t m) -> asio::io_context& {
    return pool.member(m).owner->service().get_io_context();
  };
  auto find = [&](const asio::io_context* c) {
    for (std::size_t m = 0; m < pool.member_count(); ++m)
      if (&context_of(m) == c)
        return static_cast<int>(m);
    return -1;
  };
  // The ring of the context's service for this thread (members list every
  // ring of a context, together).
  auto ring_of = [&](int first) {
    uring_service& service = pool.member(static_cast<std::size_t>(first)).owner->service();
    if (service.ring_count() == 1)
      return first;
    engine* e = &service.engine_for_this_thread();
    for (std::size_t m = static_cast<std::size_t>(first); m < pool.member_count(); ++m)
      if (pool.member(m).owner == e)
        return static_cast<int>(m);
    return first;
  };
  if (const asio::io_context* bound = bound_context(handler)) {
    int m = find(bound);
    return m < 0 ? m : ring_of(m);
  }
  if (pool.member_count() == 1)
    return 0;
  if constexpr (!std::is_same_v<FileExecutor, no_executor>) {
    if (const asio::io_context* c = io_context_of(file_ex))
      if (int m = find(c); m >= 0)
        return ring_of(m);
  }
  for (std::size_t m = 0; m < pool.member_count(); ++m)
    if (context_of(m).get_executor().running_in_this_thread())
      return ring_of(static_cast<int>(m));
  return ring_of(0);
}

/// Where an operation on a lease runs: the engine (ring), its service, and
/// the lease's registered-buffer slot in that ring (-1: plain READ / WRITE).
struct lease_target {
  engine* ring = nullptr;
  uring_service* service = nullptr;
  int slot = -1;
};

/// The checks every operation on a lease makes before it starts, and where
/// it then runs: errc::empty_buffer, or errc::wrong_context when the
/// handler is bound to an io_context the lease's pool does not serve.
template <typename Handler, typename FileExecutor>
error_code target_of(const Handler& handler, const FileExecutor& file_ex, const fixed_buffer& lease,
                     lease_target& target) {
  if (!lease)
    return make_error_code(errc::empty_buffer);
  const pool_state& pool = *lease_access::pool(lease);
  int m = member_for(pool, handler, file_ex);
  if (m < 0)
    return make_error_code(errc::wrong_context);
  target.ring = pool.member(static_cast<std::size_t>(m)).owner;
  target.service = &target.ring->service();
  target.slot = pool.slot_in(static_cast<std::size_t>(m), lease.index());
  return {};
}

/// True when [offset, offset + length) is addressable by the kernel (file
/// offsets are signed 64-bit; -1 would mean "the current position").
inline bool offset_in_range(std::uint64_t offset, std::uint64_t length) noexcept {
  constexpr std::uint64_t max = std::numeric_limits<std::int64_t>::max();
  return offset <= max && length <= max - offset;
}

/// Allocates Op(handler, io executor, args...) with the handler's allocator
/// and, when its slot is connected, makes it cancellable on e with the given
/// cancellation types. If that throws, the operation is destroyed (its lease
/// goes back to the pool) and the exception propagates.
template <typename Op, typename Handler, typename... Args>
Op* make_cancellable_op(engine& e, asio::cancellation_type accepted, Handler&& handler,
                        Args&&... args) {
  Op* op = make_op<Op>(std::forward<Handler>(handler), std::forward<Args>(args)...);
  try {
    install_cancellation(op->handler_, e, op, accepted);
  } catch (...) {
    destroy_op(op);
    throw;
  }
  return op;
}

} // namespace asio_uring_fixed::detail

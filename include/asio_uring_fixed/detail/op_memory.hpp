// Allocation of operation objects with the handler's associated allocator,
// or Asio's thread-local recycling allocator when the handler has none, so
// that steady-state operations do not touch the heap. Freeing is the
// completion shell's (completion_shell.hpp).
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <memory>
#include <utility>

namespace asio_uring_fixed::detail {

template <typename Handler>
auto op_allocator(const Handler& handler) {
  return asio::get_associated_allocator(handler, asio::recycling_allocator<void>());
}

template <typename Op, typename Handler>
using op_allocator_t = typename std::allocator_traits<decltype(op_allocator(
    std::declval<const Handler&>()))>::template rebind_alloc<Op>;

/// Allocates and constructs Op(std::move(handler), args...) with the
/// handler's allocator.
template <typename Op, typename Handler, typename... Args>
Op* make_op(Handler&& handler, Args&&... args) {
  using alloc_type = op_allocator_t<Op, std::decay_t<Handler>>;
  alloc_type alloc(op_allocator(handler));
  Op* mem = std::allocator_traits<alloc_type>::allocate(alloc, 1);
  try {
    return ::new (static_cast<void*>(mem)) Op(std::move(handler), std::forward<Args>(args)...);
  } catch (...) {
    std::allocator_traits<alloc_type>::deallocate(alloc, mem, 1);
    throw;
  }
}

} // namespace asio_uring_fixed::detail

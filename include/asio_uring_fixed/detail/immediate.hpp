// Completing an operation that failed before reaching the engine: posted to
// the handler's executor, never called inside the initiating function.
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <utility>

namespace asio_uring_fixed::detail {

template <typename Handler, typename Executor, typename... Args>
void post_immediate(Handler&& handler, const Executor& fallback_executor, Args&&... args) {
  auto ex = asio::get_associated_executor(handler, fallback_executor);
  asio::post(ex, asio::append(std::forward<Handler>(handler), std::forward<Args>(args)...));
}

} // namespace asio_uring_fixed::detail

// Keeps the handler's executor busy while an operation is pending and
// delivers the completion there.
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <tuple>
#include <utility>

namespace asio_uring_fixed::detail {

template <typename Handler, typename IoExecutor>
class handler_work {
 public:
  using executor_type = asio::associated_executor_t<Handler, IoExecutor>;
  using work_executor_type = std::decay_t<decltype(asio::prefer(
      std::declval<const executor_type&>(), asio::execution::outstanding_work.tracked))>;

  handler_work(const Handler& handler, const IoExecutor& io_executor)
      : executor_(asio::prefer(asio::get_associated_executor(handler, io_executor),
                               asio::execution::outstanding_work.tracked)) {}

  /// Calls handler(args...) on the handler's executor: inline when already
  /// running there (the usual case on the io_context's own threads), else
  /// queued there with the handler's allocator. This is what asio::dispatch
  /// does, without the extra work-tracking wrapper it adds around handlers
  /// that carry an allocator.
  template <typename... Args>
  void complete(Handler& handler, Args&&... args) {
    auto alloc = asio::get_associated_allocator(handler);
    // The member execute(): Asio 1.29 removed execution::execute.
    asio::prefer(executor_, asio::execution::blocking.possibly, asio::execution::allocator(alloc))
        .execute(
            [h = std::move(handler), a = std::make_tuple(std::forward<Args>(args)...)]() mutable {
              std::apply(std::move(h), std::move(a));
            });
  }

 private:
  work_executor_type executor_;
};

} // namespace asio_uring_fixed::detail

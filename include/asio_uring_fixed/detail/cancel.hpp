// Cancellation-slot handlers and result-to-error mapping shared by the
// operations.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/engine.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cerrno>

namespace asio_uring_fixed::detail {

/// Installed in a connected slot: any of terminal, partial or total
/// cancellation cancels the operation's kernel requests.
class engine_cancel_handler {
 public:
  engine_cancel_handler(engine& e, operation* op) noexcept : engine_(&e), op_(op) {}
  void operator()(asio::cancellation_type type) const {
    if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                 asio::cancellation_type::total)) != asio::cancellation_type::none)
      engine_->cancel(op_);
  }

 private:
  engine* engine_;
  operation* op_;
};

template <typename CancelHandler, typename Handler, typename... Args>
void install_cancellation(const Handler& handler, Args&&... args) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected())
    slot.template emplace<CancelHandler>(std::forward<Args>(args)...);
}

template <typename Handler>
void clear_cancellation(const Handler& handler) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (slot.is_connected())
    slot.clear();
}

/// Maps a negative kernel result to an error_code: ECANCELED (and EINTR
/// after a cancel request, which is how io-wq reports an interrupted request)
/// become asio::error::operation_aborted, the rest keep their errno.
inline error_code error_from_result(int result, bool cancel_requested) noexcept {
  if (result == -ECANCELED || (cancel_requested && result == -EINTR))
    return asio::error::operation_aborted;
  return error_code(-result, system_category());
}

/// EINTR and EAGAIN mean a request did not run rather than failed: the
/// composed operations (the _all forms, the copy step) issue it again, up to
/// this many times in a row, before reporting the error.
inline constexpr unsigned max_transient_retries = 8;

inline bool is_transient(const error_code& ec) noexcept {
  return ec.category() == system_category() && (ec.value() == EINTR || ec.value() == EAGAIN);
}

} // namespace asio_uring_fixed::detail

// Cancellation-slot handlers and result-to-error mapping shared by the
// operations.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/engine.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cerrno>
#include <cstdint>

namespace asio_uring_fixed::detail {

/// Installed in a connected slot. It holds the engine and the operation's
/// key, never the operation: emitted after the operation finished (or while
/// another thread completes it), engine::cancel() finds nothing. The slot is
/// never cleared by the library: a slot may only be touched from the
/// handler's side, and a later operation's emplace() replaces this handler.
class engine_cancel_handler {
 public:
  engine_cancel_handler(engine& e, std::uint64_t key, asio::cancellation_type accepted) noexcept
      : engine_(&e), key_(key), accepted_(accepted) {}

  void operator()(asio::cancellation_type type) const {
    if ((type & accepted_) != asio::cancellation_type::none)
      engine_->cancel(key_);
  }

 private:
  engine* engine_;
  std::uint64_t key_;
  asio::cancellation_type accepted_;
};

/// Single requests: terminal, partial and total (a cancelled request had no
/// effect). Composed operations: terminal and partial (what ran stays done).
inline constexpr asio::cancellation_type any_cancellation = asio::cancellation_type::terminal |
                                                            asio::cancellation_type::partial |
                                                            asio::cancellation_type::total;
inline constexpr asio::cancellation_type composed_cancellation =
    asio::cancellation_type::terminal | asio::cancellation_type::partial;

/// When the handler's slot is connected: registers op with the engine and
/// installs an engine_cancel_handler. If installing throws, op's key is
/// withdrawn and the exception propagates (the caller destroys op).
template <typename Handler>
void install_cancellation(const Handler& handler, engine& e, operation* op,
                          asio::cancellation_type accepted) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (!slot.is_connected())
    return;
  std::uint64_t key = e.enable_cancellation(op);
  try {
    slot.template emplace<engine_cancel_handler>(e, key, accepted);
  } catch (...) {
    e.disable_cancellation(op);
    throw;
  }
}

/// Maps a negative kernel result to an error_code: ECANCELED (and EINTR
/// after a cancel request, which is how io-wq reports an interrupted request)
/// become asio::error::operation_aborted, the rest keep their errno.
/// The kernel's internal restart codes (ERESTARTSYS 512 ... 516), which an
/// io-wq worker interrupted by a cancellation can let through (an open
/// blocked on a FIFO): user space knows them as EINTR.
inline error_code error_from_result(int result, bool cancel_requested) noexcept {
  if (result <= -512 && result >= -516)
    result = -EINTR;
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

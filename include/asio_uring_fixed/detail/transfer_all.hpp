// The policy of async_read_fixed_all_at / async_write_fixed_all_at as a
// sans-I/O state machine: it is told each request's result and says what to
// do next. It does no I/O, so its rules (short transfers, end of file, no
// progress, EINTR/EAGAIN retries, cancellation) are unit-tested without a
// backend (tests/test_algorithms.cpp); impl/read_write_fixed.hpp drives it.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/error.hpp>

#include <cstddef>

namespace asio_uring_fixed::detail {

class transfer_all {
 public:
  enum class direction { read, write };

  /// What to do next: issue a request for [offset, offset + length) of the
  /// range (offsets relative to its start), or complete with ec.
  struct step {
    bool done = false;
    error_code ec;
    std::size_t offset = 0;
    std::size_t length = 0;
  };

  transfer_all(direction d, std::size_t length) noexcept : direction_(d), length_(length) {}

  /// The first request: the whole range (even when empty, so that the
  /// operation completes through the engine like any other).
  step start() const noexcept { return {false, error_code(), 0, length_}; }

  /// The latest request returned result (bytes, or -errno); cancelled says
  /// whether cancellation was requested.
  step on_result(int result, bool cancelled) noexcept {
    error_code ec;
    std::size_t n = 0;
    if (result < 0)
      ec = error_from_result(result, cancelled);
    else
      n = static_cast<std::size_t>(result);
    done_ += n;
    if (n > 0)
      retries_ = 0;
    if (is_transient(ec) && !cancelled && ++retries_ <= max_transient_retries)
      ec = {}; // the request did not run: issue it again
    else if (!ec && n == 0 && done_ < length_)
      ec = direction_ == direction::read ? error_code(asio::error::eof)
                                         : make_error_code(errc::no_progress);
    if (!ec && done_ < length_ && cancelled)
      ec = asio::error::operation_aborted;
    if (ec || done_ == length_)
      return {true, ec, 0, 0};
    return {false, error_code(), done_, length_ - done_};
  }

  /// Bytes transferred so far.
  std::size_t transferred() const noexcept { return done_; }

 private:
  direction direction_;
  std::size_t length_;
  std::size_t done_ = 0;
  unsigned retries_ = 0; // transient failures in a row
};

} // namespace asio_uring_fixed::detail

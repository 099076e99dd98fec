// The policy of async_copy_fixed_at as a sans-I/O state machine: a read
// linked to a write of the full range, then, after a short read or a short
// write, single writes of what is left; optional padding and truncation of
// the tail (copy_options::pad_tail_to). It does no I/O: impl/copy_fixed.hpp
// issues the requests it asks for, and tests/test_algorithms.cpp checks its
// rules without a backend.
#pragma once

#include <asio_uring_fixed/copy_options.hpp>
#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/error.hpp>

#include <cerrno>
#include <cstddef>

namespace asio_uring_fixed::detail {

class copy_step {
 public:
  struct action {
    enum kind_type {
      submit_pair,  ///< the linked read + write of the whole range
      submit_write, ///< one write of [offset, offset + length) of the range
      truncate,     ///< truncate the destination to destination_offset + read
      done,         ///< complete with ec and progress()
    } kind = submit_pair;
    error_code ec;
    std::size_t offset = 0;
    std::size_t length = 0;
    /// Before a submit_write: bytes [zero_from, zero_to) of the range must be
    /// zeroed first (the padding of a tail).
    std::size_t zero_from = 0;
    std::size_t zero_to = 0;
  };

  copy_step(std::size_t length, std::size_t pad_tail_to) noexcept
      : length_(length), pad_to_(pad_tail_to) {}

  action start() const noexcept { return make(action::submit_pair); }

  /// The linked pair finished: the read's and the write's results.
  /// source_at_end is asked only for a short read with padding enabled; it
  /// says whether the source ends where the read stopped.
  template <typename AtEnd>
  action on_pair(int read_result, int write_result, bool cancelled, AtEnd&& source_at_end) {
    if (read_result < 0) {
      error_code ec = error_from_result(read_result, cancelled);
      if (is_transient(ec) && !cancelled && ++retries_ <= max_transient_retries)
        return make(action::submit_pair);
      return finish(ec, copy_side::read);
    }
    read_ = static_cast<std::size_t>(read_result);
    if (read_ == 0)
      return length_ > 0 ? finish(asio::error::eof, copy_side::read) : finish({}, copy_side::none);
    if (read_ < length_) {
      // A short read broke the link: the write came back ECANCELED without
      // writing anything.
      if (cancelled)
        return finish(asio::error::operation_aborted, copy_side::write);
      target_ = read_;
      if (pad_to_ != 0 && read_ % pad_to_ != 0 && source_at_end()) {
        target_ = (read_ + pad_to_ - 1) / pad_to_ * pad_to_;
        truncate_ = true;
      }
      action a = make(action::submit_write, {}, 0, target_);
      a.zero_from = read_;
      a.zero_to = target_;
      return a;
    }
    target_ = read_;
    return on_write(write_result, cancelled);
  }

  /// The latest single write finished.
  action on_write(int result, bool cancelled) noexcept {
    if (result < 0) {
      error_code ec = error_from_result(result, cancelled);
      if (is_transient(ec) && !cancelled && ++retries_ <= max_transient_retries)
        return rest();
      return finish(ec, copy_side::write);
    }
    if (result == 0 && written_ < target_)
      return finish(make_error_code(errc::no_progress), copy_side::write);
    written_ += static_cast<std::size_t>(result);
    if (written_ >= target_) {
      if (truncate_)
        return make(action::truncate);
      return finish({}, copy_side::none);
    }
    if (cancelled)
      return finish(asio::error::operation_aborted, copy_side::write);
    return rest();
  }

  /// The truncation asked for by a truncate action finished.
  action on_truncated(const error_code& ec) noexcept {
    return ec ? finish(ec, copy_side::write) : finish({}, copy_side::none);
  }

  copy_progress progress() const noexcept {
    return {read_, written_ < read_ ? written_ : read_, failed_};
  }

  std::size_t bytes_read() const noexcept { return read_; }

 private:
  static action make(action::kind_type kind, error_code ec = {}, std::size_t offset = 0,
                     std::size_t length = 0) noexcept {
    action a;
    a.kind = kind;
    a.ec = ec;
    a.offset = offset;
    a.length = length;
    return a;
  }

  action rest() const noexcept {
    return make(action::submit_write, {}, written_, target_ - written_);
  }

  action finish(error_code ec, copy_side side) noexcept {
    failed_ = ec ? side : copy_side::none;
    return make(action::done, ec);
  }

  std::size_t length_;
  std::size_t pad_to_;
  std::size_t read_ = 0;
  std::size_t target_ = 0; // bytes to write: read_, or read_ padded
  std::size_t written_ = 0;
  unsigned retries_ = 0; // transient failures of the step
  bool truncate_ = false;
  copy_side failed_ = copy_side::none;
};

} // namespace asio_uring_fixed::detail

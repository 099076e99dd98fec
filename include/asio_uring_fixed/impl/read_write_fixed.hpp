// The single-request read/write operation and the _all composed loops.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/error.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <utility>

namespace asio_uring_fixed {
namespace detail {

template <typename Handler, typename IoExecutor>
class read_write_op final : public operation {
 public:
  using handler_type = Handler;

  read_write_op(Handler&& handler, const IoExecutor& io_executor, io_request::kind_type kind,
                int fd, std::uint64_t offset, fixed_buffer&& buffer)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        buffer_(std::move(buffer)) {
    request_count_ = 1;
    requests_[0] = {kind,           fd,
                    buffer_.data(), static_cast<std::uint32_t>(buffer_.size()),
                    offset,         buffer_.slot()};
  }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<read_write_op*>(base);
    auto holder = hold_op(op);
    clear_cancellation(op->handler_);
    if (!owner)
      return; // shutdown: destroy without calling the handler
    error_code ec;
    std::size_t n = 0;
    if (result < 0)
      ec = error_from_result(result, op->cancel_requested_.load(std::memory_order_relaxed));
    else if ((n = static_cast<std::size_t>(result)) == 0 && op->requests_[0].length > 0 &&
             op->requests_[0].kind == io_request::read)
      ec = asio::error::eof;
    Handler handler(std::move(op->handler_));
    auto work(std::move(op->work_));
    fixed_buffer buffer(std::move(op->buffer_));
    holder.reset();
    work.complete(handler, ec, n, std::move(buffer));
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  fixed_buffer buffer_;
};

struct initiate_read_write {
  io_request::kind_type kind;

  template <typename Handler>
  void operator()(Handler&& handler, int fd, std::uint64_t offset, fixed_buffer buffer) const {
    initiate_engine_op<read_write_op>(std::forward<Handler>(handler), std::move(buffer), kind, fd,
                                      offset);
  }
};

/// The loop behind the _all forms: repeats single requests over the rest of
/// the range until it is done, an error occurs, or (reads) end of file.
struct transfer_all_op {
  io_request::kind_type kind;
  int fd;
  std::uint64_t offset;
  fixed_buffer buffer;
  std::size_t start = 0;
  std::size_t length = 0;
  std::size_t done = 0;
  unsigned retries = 0; // transient failures in a row
  enum { starting, transferring } state = starting;

  template <typename Self>
  void operator()(Self& self, error_code ec = {}, std::size_t n = 0, fixed_buffer b = {}) {
    switch (state) {
    case starting:
      self.reset_cancellation_state(asio::enable_partial_cancellation());
      start = buffer.offset();
      length = buffer.size();
      state = transferring;
      break; // always one request, so even an empty range completes later
    case transferring:
      buffer = std::move(b);
      done += n;
      if (n > 0)
        retries = 0;
      if (is_transient(ec) && self.cancelled() == asio::cancellation_type::none &&
          ++retries <= max_transient_retries)
        ec = {}; // the request did not run: issue it again
      else if (!ec && n == 0 && done < length)
        ec = kind == io_request::read ? error_code(asio::error::eof)
                                      : make_error_code(errc::no_progress);
      if (!ec && done < length && self.cancelled() != asio::cancellation_type::none)
        ec = asio::error::operation_aborted;
      if (ec || done == length) {
        buffer.set_range(start, length);
        self.complete(ec, done, std::move(buffer));
        return;
      }
      break;
    }
    buffer.set_range(start + done, length - done);
    std::uint64_t at = offset + done;
    if (kind == io_request::read)
      asio_uring_fixed::async_read_fixed_at(fd, at, std::move(buffer), std::move(self));
    else
      asio_uring_fixed::async_write_fixed_at(fd, at, std::move(buffer), std::move(self));
  }
};

struct initiate_transfer_all {
  io_request::kind_type kind;

  template <typename Handler>
  void operator()(Handler&& handler, int fd, std::uint64_t offset, fixed_buffer buffer) const {
    if (!buffer)
      return post_empty_buffer(std::forward<Handler>(handler));
    auto executor = buffer.get_executor();
    asio::async_compose<Handler, read_write_signature>(
        transfer_all_op{kind, fd, offset, std::move(buffer)}, handler, executor);
  }
};

} // namespace detail

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                         CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_read_write{detail::io_request::read}, token, detail::native_fd(file), offset,
      std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                          CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_read_write{detail::io_request::write}, token, detail::native_fd(file),
      offset, std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                             CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer_all{detail::io_request::read}, token, detail::native_fd(file),
      offset, std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                              CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer_all{detail::io_request::write}, token, detail::native_fd(file),
      offset, std::move(buffer));
}

} // namespace asio_uring_fixed

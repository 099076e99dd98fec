// The linked copy step operation.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/error.hpp>

#include <utility>

namespace asio_uring_fixed {
namespace detail {

template <typename Handler, typename IoExecutor>
class copy_op final : public operation {
 public:
  using handler_type = Handler;

  copy_op(Handler&& handler, const IoExecutor& io_executor, int source, std::uint64_t source_offset,
          int destination, std::uint64_t destination_offset, fixed_buffer&& buffer)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        buffer_(std::move(buffer)) {
    auto length = static_cast<std::uint32_t>(buffer_.size());
    request_count_ = 2;
    requests_[0] = {io_request::read, source,        buffer_.data(),
                    length,           source_offset, buffer_.slot()};
    requests_[1] = {io_request::write,  destination,   buffer_.data(), length,
                    destination_offset, buffer_.slot()};
    destination_offset_ = destination_offset;
  }

  static void do_complete(operation* base, engine* owner, unsigned index, int result) {
    auto* op = static_cast<copy_op*>(base);
    if (!owner) {
      if (op->pending_.load(std::memory_order_relaxed) == 0) {
        auto holder = hold_op(op);
        clear_cancellation(op->handler_);
      }
      return;
    }
    bool cancelled = op->cancel_requested_.load(std::memory_order_relaxed);
    if (op->linked_) {
      (index == 0 ? op->read_result_ : op->write_result_) = result;
      if (op->pending_.load(std::memory_order_relaxed) > 0)
        return; // wait for the other half of the pair
      op->linked_ = false;
      if (op->read_result_ < 0) {
        error_code ec = error_from_result(op->read_result_, cancelled);
        if (is_transient(ec) && !cancelled && ++op->retries_ <= max_transient_retries)
          return op->copy_again(owner); // the read did not run, nor the write
        return finish(op, ec);
      }
      op->read_ = static_cast<std::size_t>(op->read_result_);
      if (op->read_ == 0)
        return finish(op,
                      op->requests_[0].length > 0 ? error_code(asio::error::eof) : error_code());
      // A full read was followed by the linked write; a short read broke the
      // link and the write came back ECANCELED without writing anything.
      if (op->write_result_ == -ECANCELED && !cancelled && op->read_ < op->requests_[0].length)
        return op->write_rest(owner);
      result = op->write_result_;
    }
    // result is the latest write's.
    if (result < 0) {
      error_code ec = error_from_result(result, cancelled);
      if (is_transient(ec) && !cancelled && ++op->retries_ <= max_transient_retries)
        return op->write_rest(owner);
      return finish(op, ec);
    }
    if (result == 0 && op->written_ < op->read_)
      return finish(op, make_error_code(errc::no_progress));
    op->written_ += static_cast<std::size_t>(result);
    if (op->written_ == op->read_)
      return finish(op, error_code());
    if (cancelled)
      return finish(op, asio::error::operation_aborted);
    op->write_rest(owner);
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  fixed_buffer buffer_;

 private:
  void copy_again(engine* owner) {
    linked_ = true;
    request_count_ = 2;
    owner->start(this); // may destroy this at shutdown: nothing may follow
  }

  void write_rest(engine* owner) {
    requests_[0] = {io_request::write,
                    requests_[1].fd,
                    buffer_.data() + written_,
                    static_cast<std::uint32_t>(read_ - written_),
                    destination_offset_ + written_,
                    buffer_.slot()};
    request_count_ = 1;
    owner->start(this); // may destroy this at shutdown: nothing may follow
  }

  static void finish(copy_op* op, error_code ec) {
    auto holder = hold_op(op);
    clear_cancellation(op->handler_);
    std::size_t n = op->written_;
    Handler handler(std::move(op->handler_));
    auto work(std::move(op->work_));
    fixed_buffer buffer(std::move(op->buffer_));
    holder.reset();
    work.complete(handler, ec, n, std::move(buffer));
  }

  std::uint64_t destination_offset_ = 0;
  int read_result_ = 0;
  int write_result_ = 0;
  std::size_t read_ = 0;
  std::size_t written_ = 0;
  unsigned retries_ = 0; // transient failures (EINTR, EAGAIN) retried
  bool linked_ = true;
};

struct initiate_copy {
  template <typename Handler>
  void operator()(Handler&& handler, int source, std::uint64_t source_offset, int destination,
                  std::uint64_t destination_offset, fixed_buffer buffer) const {
    initiate_engine_op<copy_op>(std::forward<Handler>(handler), std::move(buffer), source,
                                source_offset, destination, destination_offset);
  }
};

} // namespace detail

template <typename Source, typename Destination, typename CompletionToken>
requires file_handle<std::remove_cvref_t<Source>> && file_handle<std::remove_cvref_t<Destination>>
auto async_copy_fixed_at(Source&& source, std::uint64_t source_offset, Destination&& destination,
                         std::uint64_t destination_offset, fixed_buffer buffer,
                         CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_copy{}, token, detail::native_fd(source), source_offset,
      detail::native_fd(destination), destination_offset, std::move(buffer));
}

} // namespace asio_uring_fixed

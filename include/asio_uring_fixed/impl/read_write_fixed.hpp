// The single-request read/write operation and the _all composed loops, both
// engine operations completed through the one completion shell.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/transfer_all.hpp>
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
                int fd, std::uint64_t offset, fixed_buffer&& buffer, int slot)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        buffer_(std::move(buffer)) {
    request_count_ = 1;
    requests_[0] = {kind,   fd,  buffer_.data(), static_cast<std::uint32_t>(buffer_.size()),
                    offset, slot};
  }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<read_write_op*>(base);
    if (!owner)
      return destroy_op(op); // shutdown: destroy without calling the handler
    error_code ec;
    std::size_t n = 0;
    if (result < 0)
      ec = error_from_result(result, op->cancel_requested_.load(std::memory_order_relaxed));
    else if ((n = static_cast<std::size_t>(result)) == 0 && op->requests_[0].length > 0 &&
             op->requests_[0].kind == io_request::read)
      ec = asio::error::eof;
    complete_op(op, ec, n, std::move(op->buffer_));
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  fixed_buffer buffer_;
};

/// The _all forms: single requests over the rest of the range, as
/// transfer_all decides, until done, an error, or (reads) end of file.
template <typename Handler, typename IoExecutor>
class transfer_all_op final : public operation {
 public:
  using handler_type = Handler;

  transfer_all_op(Handler&& handler, const IoExecutor& io_executor, io_request::kind_type kind,
                  int fd, std::uint64_t offset, fixed_buffer&& buffer, int slot)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        buffer_(std::move(buffer)), algo_(kind == io_request::read ? transfer_all::direction::read
                                                                   : transfer_all::direction::write,
                                          buffer_.size()),
        kind_(kind), fd_(fd), slot_(slot), offset_(offset) {
    prepare(algo_.start());
  }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<transfer_all_op*>(base);
    if (!owner)
      return destroy_op(op);
    transfer_all::step next =
        op->algo_.on_result(result, op->cancel_requested_.load(std::memory_order_relaxed));
    if (next.done)
      return complete_op(op, next.ec, op->algo_.transferred(), std::move(op->buffer_));
    op->prepare(next);
    owner->start(op); // may destroy op at shutdown: nothing may follow
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  fixed_buffer buffer_;

 private:
  void prepare(const transfer_all::step& s) noexcept {
    request_count_ = 1;
    requests_[0] = {kind_,
                    fd_,
                    buffer_.data() + s.offset,
                    static_cast<std::uint32_t>(s.length),
                    offset_ + s.offset,
                    slot_};
  }

  transfer_all algo_;
  io_request::kind_type kind_;
  int fd_;
  int slot_; // the buffer's slot in the ring the operation runs on, or -1
  std::uint64_t offset_;
};

template <template <typename, typename> class Op>
struct initiate_transfer {
  io_request::kind_type kind;
  asio::cancellation_type accepted;

  template <typename Handler, typename FileExecutor>
  void operator()(Handler&& handler, const FileExecutor& file_ex, int fd, std::uint64_t offset,
                  fixed_buffer buffer) const {
    lease_target target;
    error_code ec = target_of(handler, file_ex, buffer, target);
    if (!ec && !offset_in_range(offset, buffer.size()))
      ec = make_error_code(errc::invalid_offset);
    if (ec)
      return post_immediate(std::forward<Handler>(handler), file_ex, buffer, ec, std::size_t{0},
                            std::move(buffer));
    using op_type = Op<std::decay_t<Handler>, asio::io_context::executor_type>;
    uring_service& service = *target.service;
    op_type* op = make_cancellable_op<op_type>(
        *target.ring, accepted, std::forward<Handler>(handler), service.get_executor(), kind, fd,
        offset, std::move(buffer), target.slot);
    target.ring->start(op);
  }
};

} // namespace detail

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                         CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer<detail::read_write_op>{detail::io_request::read,
                                                       detail::any_cancellation},
      token, detail::file_executor(file), detail::native_fd(file), offset, std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                          CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer<detail::read_write_op>{detail::io_request::write,
                                                       detail::any_cancellation},
      token, detail::file_executor(file), detail::native_fd(file), offset, std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                             CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer<detail::transfer_all_op>{detail::io_request::read,
                                                         detail::composed_cancellation},
      token, detail::file_executor(file), detail::native_fd(file), offset, std::move(buffer));
}

template <typename File, typename CompletionToken>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                              CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, read_write_signature>(
      detail::initiate_transfer<detail::transfer_all_op>{detail::io_request::write,
                                                         detail::composed_cancellation},
      token, detail::file_executor(file), detail::native_fd(file), offset, std::move(buffer));
}

} // namespace asio_uring_fixed

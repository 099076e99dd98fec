// The copy step operation: copy_step's decisions carried out on the engine.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/copy_step.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace asio_uring_fixed {
namespace detail {

template <typename Handler, typename IoExecutor>
class copy_op final : public operation {
 public:
  using handler_type = Handler;

  copy_op(Handler&& handler, const IoExecutor& io_executor, int source, std::uint64_t source_offset,
          int destination, std::uint64_t destination_offset, std::size_t pad_tail_to,
          fixed_buffer&& buffer, int slot)
      : operation(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        buffer_(std::move(buffer)), algo_(buffer_.size(), pad_tail_to), source_(source),
        destination_(destination), slot_(slot), source_offset_(source_offset),
        destination_offset_(destination_offset) {
    submit_pair_requests();
  }

  static void do_complete(operation* base, engine* owner, unsigned index, int result) {
    auto* op = static_cast<copy_op*>(base);
    if (!owner) {
      if (op->pending_.load(std::memory_order_relaxed) == 0)
        destroy_op(op); // the last result of the shutdown
      return;
    }
    bool cancelled = op->cancel_requested_.load(std::memory_order_relaxed);
    copy_step::action next;
    if (op->pair_) {
      (index == 0 ? op->read_result_ : op->write_result_) = result;
      if (op->pending_.load(std::memory_order_relaxed) > 0)
        return; // wait for the other half of the pair
      op->pair_ = false;
      next = op->algo_.on_pair(op->read_result_, op->write_result_, cancelled,
                               [op] { return op->source_ends_at_read(); });
    } else {
      next = op->algo_.on_write(result, cancelled);
    }
    if (next.kind == copy_step::action::truncate)
      next = op->algo_.on_truncated(op->truncate_destination());
    switch (next.kind) {
    case copy_step::action::done:
      return complete_op(op, next.ec, op->algo_.progress(), std::move(op->buffer_));
    case copy_step::action::submit_pair:
      op->submit_pair_requests();
      break;
    default: // submit_write
      if (next.zero_to > next.zero_from)
        std::memset(op->buffer_.data() + next.zero_from, 0, next.zero_to - next.zero_from);
      op->request_count_ = 1;
      op->requests_[0] = {io_request::write,
                          op->destination_,
                          op->buffer_.data() + next.offset,
                          static_cast<std::uint32_t>(next.length),
                          op->destination_offset_ + next.offset,
                          op->slot_};
      break;
    }
    owner->start(op); // may destroy op at shutdown: nothing may follow
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  fixed_buffer buffer_;

 private:
  void submit_pair_requests() noexcept {
    auto length = static_cast<std::uint32_t>(buffer_.size());
    pair_ = true;
    request_count_ = 2;
    requests_[0] = {io_request::read, source_, buffer_.data(), length, source_offset_, slot_};
    requests_[1] = {io_request::write,   destination_, buffer_.data(), length,
                    destination_offset_, slot_};
  }

  bool source_ends_at_read() const noexcept {
    struct stat st {};
    if (::fstat(source_, &st) != 0)
      return false;
    return static_cast<std::uint64_t>(st.st_size) <= source_offset_ + algo_.bytes_read();
  }

  error_code truncate_destination() const noexcept {
    auto size = static_cast<off_t>(destination_offset_ + algo_.bytes_read());
    while (::ftruncate(destination_, size) != 0)
      if (errno != EINTR)
        return error_code(errno, system_category());
    return {};
  }

  copy_step algo_;
  int source_;
  int destination_;
  int slot_; // the buffer's slot in the ring the operation runs on, or -1
  std::uint64_t source_offset_;
  std::uint64_t destination_offset_;
  int read_result_ = 0;
  int write_result_ = 0;
  bool pair_ = true;
};

inline bool valid_pad(std::size_t pad, std::size_t length) noexcept {
  return pad == 0 || ((pad & (pad - 1)) == 0 && length % pad == 0);
}

struct initiate_copy {
  template <typename Handler, typename FileExecutor>
  void operator()(Handler&& handler, const FileExecutor& file_ex, int source,
                  std::uint64_t source_offset, int destination, std::uint64_t destination_offset,
                  const copy_options& options, fixed_buffer buffer) const {
    lease_target target;
    error_code ec = target_of(handler, file_ex, buffer, target);
    if (!ec && (!offset_in_range(source_offset, buffer.size()) ||
                !offset_in_range(destination_offset, buffer.size())))
      ec = make_error_code(errc::invalid_offset);
    if (!ec && !valid_pad(options.pad_tail_to, buffer.size()))
      ec = make_error_code(errc::invalid_option);
    if (ec)
      return post_immediate(std::forward<Handler>(handler), file_ex, buffer, ec, copy_progress{},
                            std::move(buffer));
    using op_type = copy_op<std::decay_t<Handler>, asio::io_context::executor_type>;
    uring_service& service = *target.service;
    op_type* op = make_cancellable_op<op_type>(
        *target.ring, composed_cancellation, std::forward<Handler>(handler), service.get_executor(),
        source, source_offset, destination, destination_offset, options.pad_tail_to,
        std::move(buffer), target.slot);
    target.ring->start(op);
  }
};

} // namespace detail

template <typename Source, typename Destination, typename CompletionToken>
requires file_handle<std::remove_cvref_t<Source>> && file_handle<std::remove_cvref_t<Destination>>
auto async_copy_fixed_at(Source&& source, std::uint64_t source_offset, Destination&& destination,
                         std::uint64_t destination_offset, fixed_buffer buffer,
                         const copy_options& options, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, copy_signature>(
      detail::initiate_copy{}, token, detail::file_executor(destination), detail::native_fd(source),
      source_offset, detail::native_fd(destination), destination_offset, options,
      std::move(buffer));
}

template <typename Source, typename Destination, typename CompletionToken>
requires file_handle<std::remove_cvref_t<Source>> &&
    file_handle<std::remove_cvref_t<Destination>> &&
    (!std::is_same_v<std::decay_t<CompletionToken>, copy_options>)auto async_copy_fixed_at(
        Source&& source, std::uint64_t source_offset, Destination&& destination,
        std::uint64_t destination_offset, fixed_buffer buffer, CompletionToken&& token) {
  return asio_uring_fixed::async_copy_fixed_at(
      std::forward<Source>(source), source_offset, std::forward<Destination>(destination),
      destination_offset, std::move(buffer), copy_options{}, std::forward<CompletionToken>(token));
}

} // namespace asio_uring_fixed

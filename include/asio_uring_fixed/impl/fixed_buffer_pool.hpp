// fixed_buffer_pool members and the acquire operation.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <string>
#include <utility>

namespace asio_uring_fixed {
namespace detail {

template <typename Handler, typename IoExecutor>
class acquire_wait_op final : public acquire_op {
 public:
  using handler_type = Handler;

  acquire_wait_op(Handler&& handler, const IoExecutor& io_executor, pool_state* pool)
      : acquire_op(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor) {
    pool_ = pool;
    pool_->add_ref();
  }

  ~acquire_wait_op() { pool_->release_ref(); }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<acquire_wait_op*>(base);
    // A granted buffer is wrapped at once, so it returns to the pool even
    // when the handler is destroyed instead of called (shutdown).
    fixed_buffer buffer = result == 0 ? lease_access::make(op->pool_, op->index_)
                                      : lease_access::make_empty(op->pool_);
    if (!owner)
      return destroy_op(op);
    error_code ec = result == 0 ? error_code() : error_from_result(result, true);
    complete_op(op, ec, std::move(buffer));
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
};

struct initiate_acquire {
  pool_state* pool;
  asio::io_context::executor_type executor;

  template <typename Handler>
  void operator()(Handler&& handler) const {
    if (!pool)
      return post_immediate(std::forward<Handler>(handler), executor, fixed_buffer(),
                            make_error_code(errc::no_pool), fixed_buffer());
    if (bound_to_other_context(handler, lease_access::make_empty(pool)))
      return post_immediate(std::forward<Handler>(handler), executor, fixed_buffer(),
                            make_error_code(errc::wrong_context), fixed_buffer());
    using op_type = acquire_wait_op<std::decay_t<Handler>, asio::io_context::executor_type>;
    op_type* op = make_cancellable_op<op_type>(pool->owner(), any_cancellation,
                                               std::forward<Handler>(handler), executor, pool);
    pool->start_wait(op);
  }
};

inline pool_state* create_pool(asio::io_context& context, std::size_t count, std::size_t size,
                               const pool_options& options, error_code& ec, std::string& what) {
  return pool_state::create(asio::use_service<uring_service>(context).engine(), count, size,
                            options, ec, what);
}

} // namespace detail

inline fixed_buffer_pool::fixed_buffer_pool(asio::io_context& context, std::size_t count,
                                            std::size_t size, const pool_options& options)
    : executor_(context.get_executor()) {
  error_code ec;
  std::string what;
  state_ = detail::create_pool(context, count, size, options, ec, what);
  if (!state_)
    throw system_error(ec, "asio_uring_fixed: " + what);
}

inline fixed_buffer_pool::fixed_buffer_pool(asio::io_context& context, std::size_t count,
                                            std::size_t size, const pool_options& options,
                                            error_code& ec)
    : executor_(context.get_executor()) {
  std::string what;
  state_ = detail::create_pool(context, count, size, options, ec, what);
  if (!state_)
    failure_message_ = "asio_uring_fixed: " + what + ": " + ec.message();
}

inline fixed_buffer_pool::fixed_buffer_pool(fixed_buffer_pool&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), executor_(other.executor_),
      failure_message_(std::move(other.failure_message_)) {}

inline fixed_buffer_pool& fixed_buffer_pool::operator=(fixed_buffer_pool&& other) noexcept {
  if (this != &other) {
    if (state_) {
      state_->close();
      state_->release_ref();
    }
    state_ = std::exchange(other.state_, nullptr);
    executor_ = other.executor_;
    failure_message_ = std::move(other.failure_message_);
  }
  return *this;
}

inline fixed_buffer_pool::~fixed_buffer_pool() {
  if (state_) {
    state_->close();
    state_->release_ref();
  }
}

inline std::size_t fixed_buffer_pool::size() const noexcept {
  return state_ ? state_->count() : 0;
}

inline std::size_t fixed_buffer_pool::buffer_size() const noexcept {
  return state_ ? state_->buffer_size() : 0;
}

inline std::size_t fixed_buffer_pool::available() const {
  return state_ ? state_->available() : 0;
}

inline bool fixed_buffer_pool::registered() const noexcept {
  return state_ && state_->registered();
}

inline error_code fixed_buffer_pool::registration_error() const noexcept {
  return state_ ? state_->registration_error() : error_code();
}

inline std::string fixed_buffer_pool::registration_message() const {
  return state_ ? state_->registration_message() : failure_message_;
}

inline fixed_buffer fixed_buffer_pool::try_acquire() {
  std::uint32_t index;
  if (!state_)
    return fixed_buffer();
  if (!state_->try_take(index))
    return detail::lease_access::make_empty(state_);
  return detail::lease_access::make(state_, index);
}

template <typename CompletionToken>
auto fixed_buffer_pool::async_acquire(CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(error_code, fixed_buffer)>(
      detail::initiate_acquire{state_, executor_}, token);
}

} // namespace asio_uring_fixed

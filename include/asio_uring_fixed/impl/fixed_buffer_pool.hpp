// fixed_buffer_pool members and the acquire operation.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/immediate.hpp>
#include <asio_uring_fixed/detail/op_memory.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <string>
#include <utility>

namespace asio_uring_fixed {
namespace detail {

class pool_cancel_handler {
 public:
  pool_cancel_handler(pool_state* pool, acquire_op* op) noexcept : pool_(pool), op_(op) {}
  void operator()(asio::cancellation_type type) const {
    if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial |
                 asio::cancellation_type::total)) != asio::cancellation_type::none)
      pool_->cancel_wait(op_);
  }

 private:
  pool_state* pool_;
  acquire_op* op_;
};

template <typename Handler, typename IoExecutor>
class acquire_wait_op final : public acquire_op {
 public:
  using handler_type = Handler;

  acquire_wait_op(Handler&& handler, const IoExecutor& io_executor, pool_state* pool)
      : acquire_op(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor),
        pool_(pool) {
    pool_->add_ref();
  }

  ~acquire_wait_op() { pool_->release_ref(); }

  static void do_complete(operation* base, engine* owner, unsigned, int result) {
    auto* op = static_cast<acquire_wait_op*>(base);
    auto holder = hold_op(op);
    clear_cancellation(op->handler_);
    // A granted buffer is wrapped at once, so it returns to the pool even
    // when the handler is destroyed instead of called (shutdown).
    fixed_buffer buffer = result == 0 ? lease_access::make(op->pool_, op->index_) : fixed_buffer();
    if (!owner)
      return;
    error_code ec = result == 0 ? error_code() : error_from_result(result, true);
    Handler handler(std::move(op->handler_));
    auto work(std::move(op->work_));
    holder.reset();
    work.complete(handler, ec, std::move(buffer));
  }

  Handler handler_;
  handler_work<Handler, IoExecutor> work_;
  pool_state* pool_;
};

struct initiate_acquire {
  pool_state* pool;
  asio::io_context::executor_type executor;

  template <typename Handler>
  void operator()(Handler&& handler) const {
    using handler_t = std::decay_t<Handler>;
    if (!pool) {
      post_immediate(std::forward<Handler>(handler), executor, make_error_code(errc::empty_buffer),
                     fixed_buffer());
      return;
    }
    handler_t h(std::forward<Handler>(handler));
    using op_type = acquire_wait_op<handler_t, asio::io_context::executor_type>;
    op_type* op = make_op<op_type>(std::move(h), executor, pool);
    install_cancellation<pool_cancel_handler>(op->handler_, pool, op);
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
}

inline fixed_buffer_pool::fixed_buffer_pool(fixed_buffer_pool&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)), executor_(other.executor_) {}

inline fixed_buffer_pool& fixed_buffer_pool::operator=(fixed_buffer_pool&& other) noexcept {
  if (this != &other) {
    if (state_) {
      state_->close();
      state_->release_ref();
    }
    state_ = std::exchange(other.state_, nullptr);
    executor_ = other.executor_;
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
  return state_ ? state_->registration_message() : std::string();
}

inline fixed_buffer fixed_buffer_pool::try_acquire() {
  std::uint32_t index;
  if (!state_ || !state_->try_take(index))
    return fixed_buffer();
  return detail::lease_access::make(state_, index);
}

template <typename CompletionToken>
auto fixed_buffer_pool::async_acquire(CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(error_code, fixed_buffer)>(
      detail::initiate_acquire{state_, executor_}, token);
}

} // namespace asio_uring_fixed

// fixed_buffer_pool members and the acquire operation.
#pragma once

#include <asio_uring_fixed/detail/cancel.hpp>
#include <asio_uring_fixed/detail/completion_shell.hpp>
#include <asio_uring_fixed/detail/handler_work.hpp>
#include <asio_uring_fixed/detail/initiate_op.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace asio_uring_fixed {
namespace detail {

template <typename Handler, typename IoExecutor>
class acquire_wait_op final : public acquire_op {
 public:
  using handler_type = Handler;

  acquire_wait_op(Handler&& handler, const IoExecutor& io_executor, pool_state* pool, engine* owner)
      : acquire_op(&do_complete), handler_(std::move(handler)), work_(handler_, io_executor) {
    pool_ = pool;
    engine_ = owner;
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
    int m = member_for(*pool, handler, no_executor{});
    if (m < 0)
      return post_immediate(std::forward<Handler>(handler), executor, fixed_buffer(),
                            make_error_code(errc::wrong_context), fixed_buffer());
    engine& owner = *pool->member(static_cast<std::size_t>(m)).owner;
    // The ring's engine, or the context's single one (waiters need no ring).
    using op_type = acquire_wait_op<std::decay_t<Handler>, asio::io_context::executor_type>;
    op_type* op =
        make_cancellable_op<op_type>(owner, any_cancellation, std::forward<Handler>(handler),
                                     owner.service().get_executor(), pool, &owner);
    pool->start_wait(op);
  }
};

inline pool_state* create_pool(std::span<asio::io_context* const> contexts, std::size_t count,
                               std::size_t size, const pool_options& options, error_code& ec,
                               std::string& what) {
  std::vector<engine*> engines;
  engines.reserve(contexts.size());
  for (asio::io_context* context : contexts) {
    if (!context) {
      ec = make_error_code(errc::invalid_option);
      what = "a shared pool was given a null io_context (#" + std::to_string(engines.size()) + ")";
      return nullptr;
    }
    // Every ring of the context (service_options::rings): the pool is
    // registered in the first and cloned into the others like a shared one.
    uring_service& service = asio::use_service<uring_service>(*context);
    for (std::size_t i = 0; i < service.ring_count(); ++i)
      engines.push_back(&service.engine(i));
  }
  return pool_state::create(engines.data(), engines.size(), count, size, options, ec, what);
}

inline asio::io_context::executor_type home_executor(std::span<asio::io_context* const> contexts) {
  if (contexts.empty() || !contexts.front())
    throw system_error(make_error_code(errc::invalid_option),
                       "asio_uring_fixed: a shared pool needs at least one io_context");
  return contexts.front()->get_executor();
}

} // namespace detail

inline fixed_buffer_pool::fixed_buffer_pool(asio::io_context& context, std::size_t count,
                                            std::size_t size, const pool_options& options)
    : executor_(context.get_executor()) {
  asio::io_context* contexts[] = {&context};
  error_code ec;
  std::string what;
  state_ = detail::create_pool(contexts, count, size, options, ec, what);
  if (!state_)
    throw system_error(ec, "asio_uring_fixed: " + what);
}

inline fixed_buffer_pool::fixed_buffer_pool(asio::io_context& context, std::size_t count,
                                            std::size_t size, const pool_options& options,
                                            error_code& ec)
    : executor_(context.get_executor()) {
  asio::io_context* contexts[] = {&context};
  std::string what;
  state_ = detail::create_pool(contexts, count, size, options, ec, what);
  if (!state_)
    failure_message_ = "asio_uring_fixed: " + what + ": " + ec.message();
}

inline fixed_buffer_pool::fixed_buffer_pool(std::span<asio::io_context* const> contexts,
                                            std::size_t count, std::size_t size,
                                            const pool_options& options)
    : executor_(detail::home_executor(contexts)) {
  error_code ec;
  std::string what;
  state_ = detail::create_pool(contexts, count, size, options, ec, what);
  if (!state_)
    throw system_error(ec, "asio_uring_fixed: " + what);
}

inline fixed_buffer_pool::fixed_buffer_pool(std::span<asio::io_context* const> contexts,
                                            std::size_t count, std::size_t size,
                                            const pool_options& options, error_code& ec)
    : executor_(detail::home_executor(contexts)) {
  std::string what;
  state_ = detail::create_pool(contexts, count, size, options, ec, what);
  if (!state_)
    failure_message_ = "asio_uring_fixed: " + what + ": " + ec.message();
}

inline fixed_buffer_pool::fixed_buffer_pool(std::initializer_list<asio::io_context*> contexts,
                                            std::size_t count, std::size_t size,
                                            const pool_options& options)
    : fixed_buffer_pool(std::span<asio::io_context* const>(contexts.begin(), contexts.size()),
                        count, size, options) {}

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

inline std::size_t fixed_buffer_pool::context_count() const noexcept {
  std::size_t n = 0;
  for (std::size_t m = 0; state_ && m < state_->member_count(); ++m)
    if (m == 0 || &state_->member(m).owner->service() != &state_->member(m - 1).owner->service())
      ++n; // a context's rings are listed together
  return n;
}

inline pool_attachment fixed_buffer_pool::attachment(const asio::io_context& context) const {
  if (!state_)
    return pool_attachment::not_attached;
  for (std::size_t m = 0; m < state_->member_count(); ++m) {
    const detail::pool_member& member = state_->member(m);
    if (&member.owner->service().get_io_context() == &context)
      return member.attachment; // the context's first ring
  }
  return pool_attachment::not_attached;
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

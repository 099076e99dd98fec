#include <asio_uring_fixed/detail/engine.hpp>

#include "backend.hpp"
#include "buffer_table.hpp"

#include <asio_uring_fixed/error.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace asio_uring_fixed::detail {
namespace {

// The engine whose run_once() is on this thread's stack: operations started
// from its handlers are batched into one submit after the batch.
thread_local engine* current_reaper = nullptr;

constexpr int max_rounds = 16;

// How long shutdown waits for results before it cancels everything again.
constexpr std::chrono::milliseconds cancel_retry_interval{100};

backend_preference preference_from_environment(backend_preference configured) {
  const char* env = std::getenv("ASIO_URING_FIXED_BACKEND");
  if (!env)
    return configured;
  return std::string_view(env) == "portable" ? backend_preference::portable : configured;
}

} // namespace

engine::engine(const service_options& options, ring_factory factory) {
  validate_options(options);
  backend_preference pref = preference_from_environment(options.backend);
  if (pref != backend_preference::portable) {
    backend_ = factory.make ? factory.make(factory.context, *this, options, io_uring_error_)
                            : make_ring_backend(options, io_uring_error_);
    if (!backend_ && pref == backend_preference::io_uring)
      throw system_error(io_uring_error_, "asio_uring_fixed: io_uring_setup");
  } else {
    io_uring_error_ = make_error_code(errc::portable_requested);
  }
  kind_ = backend_ ? backend_kind::io_uring : backend_kind::portable;
  if (!backend_)
    backend_ = make_portable_backend(options);
  backend_ = wrap_backend(std::move(backend_));
  host_delivers_ = backend_->host_delivers();
  table_ = std::make_shared<buffer_table>(backend_.get());
}

engine::~engine() = default;

engine* engine::current() noexcept {
  return current_reaper;
}

int engine::wait_fd() const noexcept {
  return backend_->wait_fd();
}

std::size_t engine::outstanding() const {
  std::lock_guard lock(mutex_);
  return outstanding_;
}

void engine::destroy_now(operation* op) {
  unsigned n = op->request_count_ ? op->request_count_ : 1;
  op->pending_.store(n, std::memory_order_relaxed);
  for (unsigned i = 0; i < n; ++i) {
    op->pending_.fetch_sub(1, std::memory_order_relaxed);
    op->complete(nullptr, i, -ECANCELED);
  }
}

void engine::start(operation* op) {
  std::unique_lock lock(mutex_);
  if (is_shut_down()) {
    lock.unlock();
    destroy_now(op);
    return;
  }
  op->pending_.store(op->request_count_, std::memory_order_relaxed);
  outstanding_ += op->request_count_;
  if (op->cancel_requested_.load(std::memory_order_relaxed))
    complete_cancelled_locked(op); // cancelled between two requests
  else if (!backlog_.empty() || !backend_->prepare(op))
    backlog_.push(op);
  if (current_reaper == this)
    unflushed_ = true;
  else
    flush_locked();
  if (!armed_ && !reaping_)
    arm_locked();
}

void engine::complete_cancelled_locked(operation* op) {
  for (unsigned i = 0; i < op->request_count_; ++i)
    op->results_[i] = -ECANCELED;
  ready_.push(op);
  if (armed_ && hooks_.kick)
    hooks_.kick(hooks_.context);
}

bool engine::start_external(operation* op) {
  std::unique_lock lock(mutex_);
  if (is_shut_down()) {
    lock.unlock();
    destroy_now(op);
    return false;
  }
  op->request_count_ = 0;
  op->pending_.store(1, std::memory_order_relaxed);
  ++outstanding_;
  if (!armed_ && !reaping_)
    arm_locked();
  return true;
}

void engine::post(operation* op, int result) {
  std::lock_guard lock(mutex_);
  op->results_[0] = result;
  ready_.push(op);
  if (armed_ && hooks_.kick)
    hooks_.kick(hooks_.context);
}

std::uint64_t engine::enable_cancellation(operation* op) {
  std::lock_guard lock(mutex_);
  if (cancel_free_ == 0) {
    cancel_entries_.emplace_back(); // may throw: nothing changed yet
    cancel_free_ = static_cast<std::uint32_t>(cancel_entries_.size());
  }
  std::uint32_t index = cancel_free_ - 1;
  cancel_entry& e = cancel_entries_[index];
  cancel_free_ = e.next_free;
  e.op = op;
  e.next_free = 0;
  op->cancel_key_ = (std::uint64_t{e.generation} << 32) | (index + 1);
  op->cancel_engine_ = this;
  return op->cancel_key_;
}

void engine::disable_cancellation(operation* op) noexcept {
  std::uint64_t key = std::exchange(op->cancel_key_, 0);
  if (key == 0)
    return;
  std::lock_guard lock(mutex_);
  std::uint32_t index = static_cast<std::uint32_t>(key) - 1;
  cancel_entry& e = cancel_entries_[index];
  e.op = nullptr;
  ++e.generation; // a key still held by a cancellation handler no longer matches
  if (e.generation == 0)
    e.generation = 1;
  e.next_free = cancel_free_;
  cancel_free_ = index + 1;
}

void engine::cancel(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  std::uint32_t index = static_cast<std::uint32_t>(key) - 1;
  if (key == 0 || index >= cancel_entries_.size())
    return;
  const cancel_entry& e = cancel_entries_[index];
  operation* op = e.op;
  if (!op || e.generation != static_cast<std::uint32_t>(key >> 32))
    return; // finished (and perhaps freed): nothing to cancel
  // The operation is alive while registered: disable_cancellation() takes
  // this lock before its memory is freed.
  if (op->cancel_requested_.exchange(true, std::memory_order_relaxed))
    return;
  if (op->pending_.load(std::memory_order_relaxed) == 0)
    return; // between two requests: start() sees cancel_requested_
  if (op->request_count_ == 0) {
    if (op->withdraw_ && op->withdraw_(op)) {
      ready_.push(op);
      if (armed_ && hooks_.kick)
        hooks_.kick(hooks_.context);
    }
    return;
  }
  if (backlog_.contains(op)) {
    backlog_.erase(op);
    complete_cancelled_locked(op);
    return;
  }
  backend_->cancel(op);
}

bool engine::ready_locked() const {
  return leftover_count_ > 0 || !ready_.empty() || backend_->ready();
}

void engine::arm_locked() {
  if (!hooks_.arm)
    return;
  armed_ = true;
  hooks_.arm(hooks_.context);
  // A result that arrived before the wait was registered raises no new edge.
  if (ready_locked())
    hooks_.kick(hooks_.context);
}

void engine::flush_locked() {
  unflushed_ = false;
  backend_->flush();
  bool moved = false;
  while (operation* op = backlog_.front()) {
    if (!backend_->prepare(op))
      break;
    backlog_.pop();
    moved = true;
  }
  if (moved)
    backend_->flush();
}

std::size_t engine::take_locked(completion* out, std::size_t max) {
  // Leftovers were already subtracted from outstanding_ when first taken.
  std::size_t count = leftover_count_;
  std::copy(leftover_, leftover_ + count, out);
  leftover_count_ = 0;
  std::size_t fresh = count;
  while (operation* op = ready_.front()) {
    unsigned n = op->pending_.load(std::memory_order_relaxed);
    if (count + n > max)
      break;
    ready_.pop();
    for (unsigned i = 0; i < n; ++i)
      out[count++] = {op, i, op->results_[i]};
  }
  count += backend_->reap(out + count, max - count);
  outstanding_ -= count - fresh;
  return count;
}

void engine::run_once() {
  completion batch[batch_size];
  std::size_t n = 0, next = 0;
  {
    std::lock_guard lock(mutex_);
    armed_ = false;
    // Another thread reaps (Asio's ring posts a run_once() per kick): it
    // arms again on its way out, which picks up whatever is left.
    if (reaping_)
      return;
    reaping_ = true;
  }
  engine* previous = current_reaper;
  current_reaper = this;
  // Runs on the way out, also when a handler throws: keeps the results not
  // yet delivered, submits what was queued and waits again if needed.
  struct epilogue {
    engine* self;
    engine* previous;
    completion* batch;
    std::size_t& next;
    std::size_t& n;
    ~epilogue() {
      current_reaper = previous;
      std::lock_guard lock(self->mutex_);
      for (; next < n; ++next)
        self->leftover_[self->leftover_count_++] = batch[next];
      if (self->unflushed_ || !self->backlog_.empty())
        self->flush_locked();
      self->reaping_ = false;
      if (self->outstanding_ > 0 || self->leftover_count_ > 0)
        self->arm_locked();
    }
  } guard{this, previous, batch, next, n};

  for (int round = 0; round < max_rounds; ++round) {
    {
      std::lock_guard lock(mutex_);
      n = take_locked(batch, batch_size);
      next = 0;
    }
    if (n == 0)
      break;
    while (next < n) {
      completion c = batch[next++];
      c.op->pending_.fetch_sub(1, std::memory_order_relaxed);
      c.op->complete(this, c.index, c.result);
    }
    n = 0;
    std::lock_guard lock(mutex_);
    if (unflushed_ || !backlog_.empty())
      flush_locked();
  }
}

void engine::deliver(operation* op, unsigned index, int result, bool abandoned) {
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    abandoned = abandoned || is_shut_down();
    if (!backlog_.empty() && !abandoned)
      flush_locked(); // what the backend could not take before
  }
  op->pending_.fetch_sub(1, std::memory_order_relaxed);
  op->complete(abandoned ? nullptr : this, index, result);
}

void engine::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shut_down_.exchange(true))
      return;
  }
  table_->abort_waiters(this);
  {
    std::lock_guard lock(mutex_);
    while (operation* op = backlog_.pop()) {
      for (unsigned i = 0; i < op->request_count_; ++i)
        op->results_[i] = -ECANCELED;
      ready_.push(op);
    }
    backend_->cancel_all();
    backend_->flush();
  }
  completion batch[batch_size];
  for (;;) {
    std::size_t n;
    bool idle;
    {
      std::lock_guard lock(mutex_);
      n = take_locked(batch, batch_size);
      idle = outstanding_ == 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
      batch[i].op->pending_.fetch_sub(1, std::memory_order_relaxed);
      batch[i].op->complete(nullptr, batch[i].index, batch[i].result);
    }
    if (n == 0) {
      // Results in the hands of the backend's host (Asio's ring) are
      // delivered as abandoned by the host's own shutdown, which comes after
      // this one and drains its ring first (see ASIO_RING_MODE.md).
      if (idle || host_delivers_)
        break;
      // A cancellation that could not be submitted, or that reached a
      // request before it could be stopped, is issued again: shutdown ends
      // as soon as every request in flight can be cancelled.
      if (!backend_->wait_for(cancel_retry_interval)) {
        std::lock_guard lock(mutex_);
        backend_->cancel_all();
        backend_->flush();
      }
    }
  }
  table_->detach_backend();
}

} // namespace asio_uring_fixed::detail

#include "buffer_table.hpp"

#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <algorithm>

namespace asio_uring_fixed::detail {
namespace {

// Calls f(begin, count) for each run of consecutive slot numbers.
template <typename F>
void for_each_run(const std::vector<int>& slots, F f) {
  unsigned begin = 0;
  for (unsigned i = 1; i <= slots.size(); ++i)
    if (i == slots.size() || slots[i] != slots[i - 1] + 1) {
      f(begin, i - begin);
      begin = i;
    }
}

} // namespace

buffer_table::buffer_table(backend* b)
    : backend_(b), size_(b->table_size()), unsupported_(size_ ? error_code() : b->table_error()),
      used_(size_, false) {}

std::vector<int> buffer_table::add(const iovec* iov, unsigned n, error_code& ec) {
  std::lock_guard lock(mutex_);
  if (!backend_) {
    ec = make_error_code(errc::service_shut_down);
    return {};
  }
  if (size_ == 0) {
    ec = unsupported_;
    return {};
  }
  std::vector<int> slots;
  slots.reserve(n);
  for (unsigned i = 0; i < size_ && slots.size() < n; ++i)
    if (!used_[i])
      slots.push_back(static_cast<int>(i));
  if (slots.size() < n) {
    ec = make_error_code(errc::no_free_slots);
    return {};
  }
  for_each_run(slots, [&](unsigned begin, unsigned count) {
    if (!ec)
      ec = backend_->update_buffers(static_cast<unsigned>(slots[begin]), iov + begin, count);
  });
  if (ec) {
    // Leave the table as it was: empty whatever was filled.
    std::vector<iovec> empty(n, iovec{nullptr, 0});
    for_each_run(slots, [&](unsigned begin, unsigned count) {
      backend_->update_buffers(static_cast<unsigned>(slots[begin]), empty.data(), count);
    });
    return {};
  }
  for (int slot : slots)
    used_[static_cast<unsigned>(slot)] = true;
  return slots;
}

void buffer_table::remove(const std::vector<int>& slots) noexcept {
  std::lock_guard lock(mutex_);
  if (backend_) {
    // Empty slots (null iov_base) so the kernel drops its page references;
    // it keeps them until the requests that use them have finished.
    std::vector<iovec> empty(slots.size(), iovec{nullptr, 0});
    for_each_run(slots, [&](unsigned begin, unsigned count) {
      backend_->update_buffers(static_cast<unsigned>(slots[begin]), empty.data(), count);
    });
  }
  for (int slot : slots)
    used_[static_cast<unsigned>(slot)] = false;
}

unsigned buffer_table::free_slots() const {
  std::lock_guard lock(mutex_);
  return static_cast<unsigned>(std::count(used_.begin(), used_.end(), false));
}

void buffer_table::attach(pool_state* pool) {
  std::lock_guard lock(mutex_);
  pools_.push_back(pool);
}

void buffer_table::detach(pool_state* pool) noexcept {
  std::lock_guard lock(mutex_);
  pools_.erase(std::remove(pools_.begin(), pools_.end(), pool), pools_.end());
}

void buffer_table::abort_waiters() {
  std::lock_guard lock(mutex_);
  for (pool_state* pool : pools_)
    pool->abort_waiters();
}

void buffer_table::detach_backend() noexcept {
  std::lock_guard lock(mutex_);
  backend_ = nullptr;
}

} // namespace asio_uring_fixed::detail

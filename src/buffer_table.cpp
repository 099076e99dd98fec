#include "buffer_table.hpp"

#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <algorithm>

namespace asio_uring_fixed::detail {

buffer_table::buffer_table(backend* b)
    : backend_(b), size_(b->table_size()), unsupported_(size_ ? error_code() : b->table_error()),
      used_(size_, false) {}

int buffer_table::add(const iovec* iov, unsigned n, error_code& ec) {
  std::lock_guard lock(mutex_);
  if (!backend_) {
    ec = make_error_code(errc::service_shut_down);
    return -1;
  }
  if (size_ == 0) {
    ec = unsupported_;
    return -1;
  }
  // First fit over the slot bitmap.
  unsigned run = 0;
  for (unsigned i = 0; i < size_; ++i) {
    run = used_[i] ? 0 : run + 1;
    if (run == n) {
      unsigned first = i + 1 - n;
      ec = backend_->update_buffers(first, iov, n);
      if (ec)
        return -1;
      std::fill(used_.begin() + first, used_.begin() + first + n, true);
      return static_cast<int>(first);
    }
  }
  ec = make_error_code(errc::no_free_slots);
  return -1;
}

void buffer_table::remove(unsigned first, unsigned n) noexcept {
  std::lock_guard lock(mutex_);
  if (backend_) {
    // Empty slots (null iov_base) so the kernel drops its page references;
    // the kernel keeps them until requests that use them have finished.
    std::vector<iovec> empty(n, iovec{nullptr, 0});
    backend_->update_buffers(first, empty.data(), n);
  }
  std::fill(used_.begin() + first, used_.begin() + first + n, false);
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

#include "buffer_table.hpp"

#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/error.hpp>

#include <algorithm>
#include <functional>

namespace asio_uring_fixed::detail {
namespace {

// Calls f(begin, count) for each run of consecutive slot numbers; stops at
// the first error f returns and returns it.
template <typename F>
error_code for_each_run(const std::vector<int>& slots, F f) {
  unsigned begin = 0;
  for (unsigned i = 1; i <= slots.size(); ++i)
    if (i == slots.size() || slots[i] != slots[i - 1] + 1) {
      if (error_code ec = f(begin, i - begin))
        return ec;
      begin = i;
    }
  return {};
}

// Locks several tables' mutexes in address order (no deadlock with another
// thread doing the same, or holding one of them).
class multi_lock {
 public:
  explicit multi_lock(std::vector<std::mutex*> mutexes) : mutexes_(std::move(mutexes)) {
    std::sort(mutexes_.begin(), mutexes_.end(), std::less<>());
    mutexes_.erase(std::unique(mutexes_.begin(), mutexes_.end()), mutexes_.end());
    for (std::mutex* m : mutexes_)
      m->lock();
  }
  ~multi_lock() {
    for (auto it = mutexes_.rbegin(); it != mutexes_.rend(); ++it)
      (*it)->unlock();
  }
  multi_lock(const multi_lock&) = delete;
  multi_lock& operator=(const multi_lock&) = delete;

 private:
  std::vector<std::mutex*> mutexes_;
};

} // namespace

buffer_table::buffer_table(backend* b)
    : backend_(b), size_(b->table_size()), unsupported_(size_ ? error_code() : b->table_error()),
      used_(size_, false) {}

std::vector<int> buffer_table::reserve(std::span<buffer_table* const> tables, unsigned n,
                                       error_code& ec) {
  std::vector<std::mutex*> mutexes;
  for (buffer_table* t : tables)
    mutexes.push_back(&t->mutex_);
  multi_lock lock(std::move(mutexes));
  unsigned size = ~0u;
  for (buffer_table* t : tables) {
    if (!t->backend_) {
      ec = make_error_code(errc::service_shut_down);
      return {};
    }
    if (t->size_ == 0) {
      ec = t->unsupported_;
      return {};
    }
    size = std::min(size, t->size_);
  }
  std::vector<int> slots;
  slots.reserve(n);
  for (unsigned i = 0; i < size && slots.size() < n; ++i)
    if (std::none_of(tables.begin(), tables.end(), [i](buffer_table* t) { return t->used_[i]; }))
      slots.push_back(static_cast<int>(i));
  if (slots.size() < n) {
    ec = make_error_code(errc::no_free_slots);
    return {};
  }
  for (buffer_table* t : tables)
    for (int slot : slots)
      t->used_[static_cast<unsigned>(slot)] = true;
  return slots;
}

error_code buffer_table::fill(const std::vector<int>& slots, const iovec* iov) {
  std::lock_guard lock(mutex_);
  if (!backend_)
    return make_error_code(errc::service_shut_down);
  error_code ec = for_each_run(slots, [&](unsigned begin, unsigned count) {
    return backend_->update_buffers(static_cast<unsigned>(slots[begin]), iov + begin, count);
  });
  if (ec)
    empty_locked(slots); // leave the table as it was
  return ec;
}

error_code buffer_table::clone(buffer_table& source, const std::vector<int>& slots) {
  multi_lock lock({&mutex_, &source.mutex_});
  if (!backend_ || !source.backend_)
    return make_error_code(errc::service_shut_down);
  int fd = source.backend_->clone_source_fd();
  if (fd < 0 || &source == this)
    return make_error_code(errc::registration_unsupported);
  error_code ec = for_each_run(slots, [&](unsigned begin, unsigned count) {
    return backend_->clone_buffers(fd, static_cast<unsigned>(slots[begin]), count);
  });
  if (ec)
    empty_locked(slots);
  return ec;
}

void buffer_table::empty_locked(const std::vector<int>& slots) noexcept {
  // Empty slots (null iov_base) so the kernel drops its page references;
  // it keeps them until the requests that use them have finished.
  std::vector<iovec> empty(slots.size(), iovec{nullptr, 0});
  for_each_run(slots, [&](unsigned begin, unsigned count) {
    backend_->update_buffers(static_cast<unsigned>(slots[begin]), empty.data(), count);
    return error_code();
  });
}

void buffer_table::remove(const std::vector<int>& slots) noexcept {
  std::lock_guard lock(mutex_);
  if (backend_)
    empty_locked(slots);
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

void buffer_table::abort_waiters(engine* owner) {
  std::lock_guard lock(mutex_);
  for (pool_state* pool : pools_)
    pool->abort_waiters(owner);
}

void buffer_table::detach_backend() noexcept {
  std::lock_guard lock(mutex_);
  backend_ = nullptr;
}

} // namespace asio_uring_fixed::detail

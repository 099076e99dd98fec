// Shared state of a buffer pool: the arena, the free list, acquire waiters
// and the registered slots. Reference-counted by the pool object and by
// every lease, so the memory outlives both the pool object and in-flight
// operations (which own their lease). Asio-free; defined in src/.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/operation.hpp>
#include <asio_uring_fixed/pool_options.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asio_uring_fixed::detail {

class engine;
class buffer_table;

class pool_state;

/// An acquire waiter; index_ receives the granted buffer.
class acquire_op : public operation {
 public:
  using operation::operation;
  std::uint32_t index_ = 0;
  pool_state* pool_ = nullptr; // set when made (it holds a reference), then constant
  bool queued_ = false;        // in pool_'s queue (guarded by its lock)

 protected:
  ~acquire_op() = default;
};

class pool_state {
 public:
  /// Creates the state with one reference, or returns null with ec set and
  /// a human-readable explanation in what.
  static pool_state* create(engine& owner, std::size_t count, std::size_t size,
                            const pool_options& options, error_code& ec, std::string& what);

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release_ref() noexcept;

  engine& owner() const noexcept { return *engine_; }
  std::byte* data(std::uint32_t index) const noexcept { return base_ + index * stride_; }
  std::size_t buffer_size() const noexcept { return size_; }
  std::size_t count() const noexcept { return count_; }
  bool registered() const noexcept { return !slots_.empty(); }
  int slot(std::uint32_t index) const noexcept { return slots_.empty() ? -1 : slots_[index]; }

  /// Takes a free buffer (no waiter can be pending while one is free).
  bool try_take(std::uint32_t& index);
  /// Returns a buffer: to the first waiter if any, else to the free list.
  void give_back(std::uint32_t index) noexcept;
  /// Queues op (FIFO) or grants it a free buffer; completes through the
  /// engine either way, never inline. Precondition: op->pool_ == this.
  void start_wait(acquire_op* op);
  /// The engine's withdraw_ hook of waiters (called with the engine's lock
  /// held): takes op out of its pool's queue if it has not been granted a
  /// buffer yet, setting its result to -ECANCELED.
  static bool withdraw(operation* op) noexcept;
  /// The pool object is gone: waiters complete with operation_aborted.
  void close() noexcept;
  /// Service shutdown: same as close(), and later waits are refused.
  void abort_waiters() noexcept;

  std::size_t available() const;

  /// Why the buffers are not registered (empty when they are, or when
  /// registration was not asked for), and the explanation.
  const error_code& registration_error() const noexcept { return registration_error_; }
  const std::string& registration_message() const noexcept { return registration_message_; }

 private:
  pool_state() = default;
  ~pool_state();

  std::atomic<std::size_t> refs_{1};
  engine* engine_ = nullptr;
  std::shared_ptr<buffer_table> table_;
  std::byte* base_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t stride_ = 0;
  std::size_t size_ = 0;
  std::size_t count_ = 0;
  std::vector<int> slots_; // registered-buffer slot of each buffer, or empty
  error_code registration_error_;
  std::string registration_message_;

  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;
  op_queue waiters_;
  bool closed_ = false;
};

} // namespace asio_uring_fixed::detail

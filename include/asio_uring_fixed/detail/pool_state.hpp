// Shared state of a buffer pool: the arena, the free list, acquire waiters
// and the registered slots. Reference-counted by the pool object and by
// every lease, so the memory outlives both the pool object and in-flight
// operations (which own their lease). A pool serves one or more engines (its
// members, one per io_context): the same slot numbers in each member's
// table. Asio-free; defined in src/.
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
  engine* engine_ = nullptr;   // the member engine it completes through, then constant
  bool queued_ = false;        // in pool_'s queue (guarded by its lock)

 protected:
  ~acquire_op() = default;
};

/// One engine a pool serves, and how its buffers reach that engine's ring.
struct pool_member {
  engine* owner = nullptr;
  std::shared_ptr<buffer_table> table;
  pool_attachment attachment = pool_attachment::unregistered;
  bool holds_slots = false; // the pool's slots are taken in table
};

class pool_state {
 public:
  /// Creates the state with one reference, serving owners[0..n) (distinct;
  /// the first is the pool's home: its leases' io_context), or returns null
  /// with ec set and a human-readable explanation in what.
  static pool_state* create(engine* const* owners, std::size_t n, std::size_t count,
                            std::size_t size, const pool_options& options, error_code& ec,
                            std::string& what);

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release_ref() noexcept;

  engine& owner() const noexcept { return *members_.front().owner; }
  std::byte* data(std::uint32_t index) const noexcept { return base_ + index * stride_; }
  std::size_t buffer_size() const noexcept { return size_; }
  std::size_t count() const noexcept { return count_; }
  /// Registered with the home engine's ring.
  bool registered() const noexcept { return members_.front().holds_slots; }
  /// Slot of buffer index in the home engine's ring, or -1.
  int slot(std::uint32_t index) const noexcept { return slot_in(0, index); }

  /// The engines served; the index of e among them, or -1.
  std::size_t member_count() const noexcept { return members_.size(); }
  const pool_member& member(std::size_t i) const noexcept { return members_[i]; }
  int member_of(const engine* e) const noexcept {
    for (std::size_t i = 0; i < members_.size(); ++i)
      if (members_[i].owner == e)
        return static_cast<int>(i);
    return -1;
  }
  /// Slot of buffer index in member m's ring, or -1 where it is unregistered.
  int slot_in(std::size_t m, std::uint32_t index) const noexcept {
    return members_[m].holds_slots ? slots_[index] : -1;
  }

  /// Takes a free buffer (no waiter can be pending while one is free).
  bool try_take(std::uint32_t& index);
  /// Returns a buffer: to the first waiter if any, else to the free list.
  void give_back(std::uint32_t index) noexcept;
  /// Queues op (FIFO) or grants it a free buffer; completes through
  /// op->engine_ (one of the members) either way, never inline.
  /// Precondition: op->pool_ == this.
  void start_wait(acquire_op* op);
  /// The engine's withdraw_ hook of waiters (called with the engine's lock
  /// held): takes op out of its pool's queue if it has not been granted a
  /// buffer yet, setting its result to -ECANCELED.
  static bool withdraw(operation* op) noexcept;
  /// The pool object is gone: waiters complete with operation_aborted.
  void close() noexcept;
  /// Shutdown of member engine e: its waiters complete with
  /// operation_aborted (later waits on it are refused by the engine).
  void abort_waiters(engine* e) noexcept;

  std::size_t available() const;

  /// Why the buffers are not registered (empty when they are, or when
  /// registration was not asked for), and the explanation.
  const error_code& registration_error() const noexcept { return registration_error_; }
  const std::string& registration_message() const noexcept { return registration_message_; }

 private:
  pool_state() = default;
  ~pool_state();
  bool register_buffers(const pool_options& options, error_code& ec, std::string& what);
  void release_slots() noexcept;

  std::atomic<std::size_t> refs_{1};
  std::vector<pool_member> members_;
  std::byte* base_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t stride_ = 0;
  std::size_t size_ = 0;
  std::size_t count_ = 0;
  std::vector<int> slots_; // table slot of each buffer (the same in every member), or empty
  error_code registration_error_;
  std::string registration_message_;

  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;
  op_queue waiters_;
  bool closed_ = false;
};

} // namespace asio_uring_fixed::detail

// Slot allocation in the ring's sparse registered-buffer table, shared by
// every pool of one io_context. Pools take slots and give them back
// independently; the table outlives the engine's backend (detach()) so a
// pool kept alive by a lease after shutdown can still be freed safely.
//
// A pool shared by several io_contexts takes the same slot numbers in each
// of their tables (reserve() over all of them at once), so a lease's slot
// means the same buffer in every ring it is registered with.
#pragma once

#include "backend.hpp"

#include <mutex>
#include <span>
#include <vector>

namespace asio_uring_fixed::detail {

class pool_state;
class engine;

class buffer_table {
 public:
  explicit buffer_table(backend* b);

  /// Size of the table (0 when registration is unsupported) and why not.
  unsigned size() const noexcept { return size_; }
  error_code unsupported_reason() const noexcept { return unsupported_; }

  /// Takes n slot numbers free in every one of tables (not necessarily
  /// contiguous, so tables do not fragment as pools come and go), marking
  /// them used in all. Nothing is registered yet: fill() or clone() does
  /// that, remove() gives them back. On failure returns an empty vector
  /// with ec set (no_free_slots, registration_unsupported when a table has
  /// none, service_shut_down) and changes nothing.
  static std::vector<int> reserve(std::span<buffer_table* const> tables, unsigned n,
                                  error_code& ec);

  /// Registers iov[i] in slots[i] (reserved here), one table update per
  /// contiguous run. On failure the slots are left empty (still reserved)
  /// and the kernel's errno is returned.
  error_code fill(const std::vector<int>& slots, const iovec* iov);

  /// Makes slots (reserved here) refer to the buffers registered in the same
  /// slots of source, without pinning or charging them again. On failure
  /// the slots are left empty (still reserved): the errno, or
  /// registration_unsupported when either backend cannot clone.
  error_code clone(buffer_table& source, const std::vector<int>& slots);

  /// Empties and frees the slots (the kernel part is skipped after
  /// detach_backend()).
  void remove(const std::vector<int>& slots) noexcept;

  /// Number of free slots.
  unsigned free_slots() const;

  void attach(pool_state* pool);
  void detach(pool_state* pool) noexcept;

  /// Shutdown of owner: aborts the acquire waiters every pool attached here
  /// has on owner.
  void abort_waiters(engine* owner);

  /// Shutdown: forget the backend; later removals only free memory.
  void detach_backend() noexcept;

 private:
  void empty_locked(const std::vector<int>& slots) noexcept;

  mutable std::mutex mutex_;
  backend* backend_;
  unsigned size_;
  error_code unsupported_;
  std::vector<bool> used_;
  std::vector<pool_state*> pools_;
};

} // namespace asio_uring_fixed::detail

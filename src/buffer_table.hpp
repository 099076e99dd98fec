// Slot allocation in the ring's sparse registered-buffer table, shared by
// every pool of one io_context. Pools take slots and give them back
// independently; the table outlives the engine's backend (detach()) so a
// pool kept alive by a lease after shutdown can still be freed safely.
#pragma once

#include "backend.hpp"

#include <mutex>
#include <vector>

namespace asio_uring_fixed::detail {

class pool_state;

class buffer_table {
 public:
  explicit buffer_table(backend* b);

  /// Size of the table (0 when registration is unsupported) and why not.
  unsigned size() const noexcept { return size_; }
  error_code unsupported_reason() const noexcept { return unsupported_; }

  /// Takes n free slots (not necessarily contiguous, so the table does not
  /// fragment as pools come and go) and registers iov[i] in slots[i], one
  /// table update per contiguous run. On failure returns an empty vector
  /// with ec set (no_free_slots, or the kernel's errno) and changes nothing.
  std::vector<int> add(const iovec* iov, unsigned n, error_code& ec);

  /// Empties and frees the slots (the kernel part is skipped after
  /// detach_backend()).
  void remove(const std::vector<int>& slots) noexcept;

  /// Number of free slots.
  unsigned free_slots() const;

  void attach(pool_state* pool);
  void detach(pool_state* pool) noexcept;

  /// Shutdown: aborts every pool's acquire waiters.
  void abort_waiters();

  /// Shutdown: forget the backend; later removals only free memory.
  void detach_backend() noexcept;

 private:
  mutable std::mutex mutex_;
  backend* backend_;
  unsigned size_;
  error_code unsupported_;
  std::vector<bool> used_;
  std::vector<pool_state*> pools_;
};

} // namespace asio_uring_fixed::detail

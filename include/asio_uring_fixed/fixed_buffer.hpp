// fixed_buffer: a move-only lease on one buffer of a fixed_buffer_pool.
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace asio_uring_fixed {

namespace detail {
class pool_state;
struct lease_access;
} // namespace detail

/// A lease on one buffer of a fixed_buffer_pool.
///
/// The buffer is page-aligned (suitable for O_DIRECT) and, when the pool is
/// registered, addressable by READ_FIXED / WRITE_FIXED. A lease is move-only;
/// destroying it (or release()) returns the buffer to its pool, to the first
/// asynchronous waiter if there is one.
///
/// Operations take the lease by value and hand it back in their completion,
/// so no code can touch or return the buffer while the kernel may use it.
///
/// The lease has a *range* within its buffer — the whole buffer by default —
/// and operations read into or write from exactly that range. Use set_range()
/// to work on part of the buffer.
///
/// Lifetime: the memory stays valid while the lease exists, even after the
/// pool object (and its io_context) is gone. A lease is not thread-safe; a
/// moved-from lease is empty.
class fixed_buffer {
 public:
  /// An empty lease.
  fixed_buffer() noexcept = default;

  fixed_buffer(fixed_buffer&& other) noexcept;
  fixed_buffer& operator=(fixed_buffer&& other) noexcept;
  fixed_buffer(const fixed_buffer&) = delete;
  fixed_buffer& operator=(const fixed_buffer&) = delete;

  /// Returns the buffer to its pool.
  ~fixed_buffer() {
    if (pool_) // most leases die moved-from: keep that case a test
      release();
  }

  /// True when the lease holds a buffer.
  explicit operator bool() const noexcept { return pool_ != nullptr; }

  /// Start and length of the current range.
  std::byte* data() const noexcept { return base_ + offset_; }
  std::size_t size() const noexcept { return size_; }

  /// Offset of the range within the buffer, and the buffer's whole size.
  std::size_t offset() const noexcept { return offset_; }
  std::size_t capacity() const noexcept { return capacity_; }

  /// The range as an Asio buffer and as a span.
  asio::mutable_buffer buffer() const noexcept { return asio::mutable_buffer(data(), size()); }
  std::span<std::byte> span() const noexcept { return {data(), size()}; }

  /// Selects [offset, offset + length) of the buffer as the range.
  /// Throws std::out_of_range, naming offset, length and capacity(), if it
  /// does not fit (an empty lease has capacity 0).
  void set_range(std::size_t offset, std::size_t length);

  /// Selects the whole buffer.
  void reset_range() noexcept {
    offset_ = 0;
    size_ = capacity_;
  }

  /// True when the buffer is registered with the ring (fixed I/O).
  bool registered() const noexcept { return slot_ >= 0; }

  /// The registered-buffer table slot, or -1.
  int slot() const noexcept { return slot_; }

  /// The buffer's position in its pool (0 .. pool size - 1).
  std::uint32_t index() const noexcept { return index_; }

  /// The executor of the io_context whose pool this lease came from.
  /// An empty lease that came from a pool (moved from, released, or
  /// returned empty by try_acquire() on an exhausted pool) still knows its
  /// io_context; operations given such a lease report errc::empty_buffer
  /// there. Precondition: from_pool() and that io_context exists.
  asio::io_context::executor_type get_executor() const noexcept;

  /// True when the lease came from a pool, even if it is empty now
  /// (false only for a default-constructed lease, or one moved-assigned
  /// from such).
  bool from_pool() const noexcept { return context_ != nullptr; }

  /// Returns the buffer to its pool now; the lease becomes empty.
  void release() noexcept;

 private:
  friend struct detail::lease_access;
  fixed_buffer(detail::pool_state* pool, std::uint32_t index) noexcept;
  explicit fixed_buffer(asio::io_context* context) noexcept : context_(context) {}

  detail::pool_state* pool_ = nullptr;
  asio::io_context* context_ = nullptr; // kept when the lease becomes empty
  std::byte* base_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t offset_ = 0;
  std::uint32_t size_ = 0;
  int slot_ = -1;
};

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/fixed_buffer.hpp>

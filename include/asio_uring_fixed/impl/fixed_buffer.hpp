// Inline members of fixed_buffer.
#pragma once

#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/detail/pool_state.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace asio_uring_fixed {

namespace detail {
/// Lets the library create leases; not for users.
struct lease_access {
  static fixed_buffer make(pool_state* pool, std::uint32_t index) noexcept {
    return fixed_buffer(pool, index);
  }
  /// An empty lease that remembers its pool's io_context.
  static fixed_buffer make_empty(pool_state* pool) noexcept {
    return fixed_buffer(context_of(pool));
  }
  static pool_state* pool(const fixed_buffer& b) noexcept { return b.pool_; }
  static asio::io_context* context(const fixed_buffer& b) noexcept { return b.context_; }
  static asio::io_context* context_of(pool_state* pool) noexcept {
    return &pool->owner().service().get_io_context();
  }
};
} // namespace detail

inline fixed_buffer::fixed_buffer(detail::pool_state* pool, std::uint32_t index) noexcept
    : pool_(pool), context_(detail::lease_access::context_of(pool)), base_(pool->data(index)),
      index_(index), capacity_(static_cast<std::uint32_t>(pool->buffer_size())), offset_(0),
      size_(capacity_), slot_(pool->slot(index)) {
  pool->add_ref();
}

inline fixed_buffer::fixed_buffer(fixed_buffer&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), context_(other.context_),
      base_(std::exchange(other.base_, nullptr)), index_(other.index_),
      capacity_(std::exchange(other.capacity_, 0)), offset_(std::exchange(other.offset_, 0)),
      size_(std::exchange(other.size_, 0)), slot_(std::exchange(other.slot_, -1)) {}

inline fixed_buffer& fixed_buffer::operator=(fixed_buffer&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    context_ = other.context_;
    base_ = std::exchange(other.base_, nullptr);
    index_ = other.index_;
    capacity_ = std::exchange(other.capacity_, 0);
    offset_ = std::exchange(other.offset_, 0);
    size_ = std::exchange(other.size_, 0);
    slot_ = std::exchange(other.slot_, -1);
  }
  return *this;
}

inline void fixed_buffer::set_range(std::size_t offset, std::size_t length) {
  if (offset > capacity_ || length > capacity_ - offset)
    throw std::out_of_range("asio_uring_fixed::fixed_buffer::set_range: offset " +
                            std::to_string(offset) + " + length " + std::to_string(length) +
                            " exceeds the capacity of " + std::to_string(capacity_) + " bytes" +
                            (pool_ ? "" : " (the lease is empty)"));
  offset_ = static_cast<std::uint32_t>(offset);
  size_ = static_cast<std::uint32_t>(length);
}

inline void fixed_buffer::release() noexcept {
  if (detail::pool_state* pool = std::exchange(pool_, nullptr)) {
    pool->give_back(index_);
    pool->release_ref();
    base_ = nullptr;
    capacity_ = offset_ = size_ = 0;
    slot_ = -1;
  }
}

inline asio::io_context::executor_type fixed_buffer::get_executor() const noexcept {
  return context_->get_executor();
}

} // namespace asio_uring_fixed

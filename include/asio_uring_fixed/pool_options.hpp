// Options of fixed_buffer_pool.
#pragma once

#include <string_view>

namespace asio_uring_fixed {

/// What a pool does about registering its buffers with the ring.
enum class registration_mode {
  /// Register, or fail construction with an error naming the cause and the
  /// limit (RLIMIT_MEMLOCK, free table slots, a kernel without a sparse
  /// buffer table). A shared pool must reach every attached io_uring ring,
  /// cloned or registered again. On the portable backend there is no ring to
  /// register with: pools are plain memory there under every mode.
  required,
  /// Register when possible, else work unregistered (plain READ/WRITE);
  /// fixed_buffer_pool::registered() and attachment() tell which (a shared
  /// pool decides ring by ring).
  if_possible,
  /// Never register (useful to compare, or to keep memlock free).
  none,
};

/// How a pool's buffers reach one io_context's ring
/// (fixed_buffer_pool::attachment()).
enum class pool_attachment {
  /// The pool does not serve that io_context.
  not_attached,
  /// Registered in this ring: pinned and charged to RLIMIT_MEMLOCK here.
  /// Every registered pool has exactly one such ring, its first io_uring
  /// context.
  registered,
  /// A shared pool's table entries cloned from the registered ring
  /// (IORING_REGISTER_CLONE_BUFFERS, Linux 6.13): READ_FIXED / WRITE_FIXED
  /// here too, with no second pinning or memlock charge.
  cloned,
  /// The kernel refused to clone (older than 6.13, or the ring is Asio's
  /// own): registered separately in this ring, so the memory is pinned and
  /// charged once more for it.
  registered_again,
  /// Plain READ / WRITE in this ring: registration_mode::none, registration
  /// failed with if_possible, or the portable backend (no ring at all).
  unregistered,
};

/// Printable name ("registered", "cloned", ...).
std::string_view to_string(pool_attachment attachment) noexcept;

struct pool_options {
  registration_mode registration = registration_mode::required;
  /// Back the arena with explicit huge pages (MAP_HUGETLB). Fails if the
  /// system has none reserved.
  bool huge_pages = false;
};

} // namespace asio_uring_fixed

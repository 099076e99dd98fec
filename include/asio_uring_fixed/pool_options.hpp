// Options of fixed_buffer_pool.
#pragma once

namespace asio_uring_fixed {

/// What a pool does about registering its buffers with the ring.
enum class registration_mode {
  /// Register, or fail construction with an error naming the cause and the
  /// limit (RLIMIT_MEMLOCK, free table slots, a kernel without a sparse
  /// buffer table). On the portable backend there is no ring to register
  /// with: pools are plain memory there under every mode.
  required,
  /// Register when possible, else work unregistered (plain READ/WRITE);
  /// fixed_buffer_pool::registered() tells which.
  if_possible,
  /// Never register (useful to compare, or to keep memlock free).
  none,
};

struct pool_options {
  registration_mode registration = registration_mode::required;
  /// Back the arena with explicit huge pages (MAP_HUGETLB). Fails if the
  /// system has none reserved.
  bool huge_pages = false;
};

} // namespace asio_uring_fixed

// The metadata requests as plain system calls: how the portable backend runs
// them on its worker threads.
#pragma once

#include <asio_uring_fixed/detail/operation.hpp>

namespace asio_uring_fixed::detail {

/// Runs a metadata request (r.kind other than read and write) and returns
/// what the kernel's io_uring request would: the result, or -errno.
int perform_metadata(const io_request& r) noexcept;

} // namespace asio_uring_fixed::detail

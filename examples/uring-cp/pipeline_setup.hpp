// Setting up the library for the fixed and plain methods: the uring_service
// (backend) and one fixed_buffer_pool sized to the job.
#pragma once

#include "console.hpp"
#include "copy_method.hpp"
#include "copy_plan.hpp"
#include "options.hpp"

#include <asio_uring_fixed/fixed_buffer_pool.hpp>

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace uring_cp {

struct pool_shape {
  std::size_t count = 1;       ///< buffers: the queue depth, or fewer if the job is small
  std::size_t buffer_size = 0; ///< the block size, or less if every file is smaller
};

/// Sizes the pool so a small job does not map (and register) more than it
/// can use: buffers no larger than the largest file rounded up to 4 KiB, and
/// no more of them than there are blocks to copy.
pool_shape shape_pool(const options& opts, const copy_plan& plan);

/// Installs the uring_service on io and creates the pool: registration
/// required for fixed (with method_was_requested; io_uring required too),
/// if_possible when auto chose fixed, none for plain. On failure prints why
/// (RLIMIT_MEMLOCK, no io_uring, ...) and returns nullopt.
std::optional<asio_uring_fixed::fixed_buffer_pool> make_pool(boost::asio::io_context& io,
                                                             copy_method method,
                                                             bool method_was_requested,
                                                             const pool_shape& shape, console& out);

/// One line for -v: backend, buffers, registration.
std::string describe_pipeline(boost::asio::io_context& io,
                              const asio_uring_fixed::fixed_buffer_pool& pool);

} // namespace uring_cp

// posix_copy: one file's data regions through a pread/pwrite loop.
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"
#include "file_pair.hpp"
#include "run_context.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace uring_cp {

/// Copies pair's data regions (holes skipped) through buffer, one block at a
/// time; with pair.make_holes (--sparse=always), 4 KiB pieces of zeros are
/// not written and stay holes. With O_DIRECT (pair.alignment > 0) buffer must be aligned to it; the
/// last block is read short and written padded with zeros to the alignment
/// (finalize_file truncates the padding away). end_of_data receives where
/// the source ended if it was shorter than pair.size. Stops with
/// interrupted() when ctx.stopping is set.
std::optional<failure> posix_copy(const copy_item& item, file_pair& pair,
                                  std::span<std::byte> buffer, run_context& ctx,
                                  std::uint64_t& end_of_data);

} // namespace uring_cp

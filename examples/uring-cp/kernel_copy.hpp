// kernel_copy: one file copied inside the kernel: a reflink (FICLONE) where
// the filesystem shares blocks, else copy_file_range over the data regions.
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"
#include "file_pair.hpp"
#include "run_context.hpp"

#include <cstdint>
#include <optional>

namespace uring_cp {

enum class kernel_outcome {
  reflinked, ///< FICLONE shared the blocks: nothing was copied
  copied,    ///< copy_file_range did it (or failed: see error)
  refused,   ///< copy_file_range is not possible here (errno in refusal)
};

/// Copies pair inside the kernel. On refused nothing has been written and
/// the caller falls back to posix_copy. Errors and interruption go to error.
kernel_outcome kernel_copy(const copy_item& item, file_pair& pair, run_context& ctx,
                           std::uint64_t& end_of_data, std::optional<failure>& error, int& refusal);

} // namespace uring_cp

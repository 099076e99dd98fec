// finalize_file: the steps after a file's bytes are written, ending with
// the rename (or, for an anonymous temporary, the link) that makes the copy
// visible.
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"
#include "file_pair.hpp"
#include "run_context.hpp"

#include <cstdint>
#include <optional>

namespace uring_cp {

struct finalize_result {
  /// The copy is in place under its destination name.
  bool committed = false;
  std::optional<failure> error;
};

/// In order: refuse the copy if the source changed while it was read
/// (source_changed); truncate the temporary to final_size (drops O_DIRECT padding
/// and preallocation, restores a trailing hole); --verify; attributes;
/// --fsync (file); rename or link into place (temp_file::commit; with -n a
/// file that appeared meanwhile is kept and the copy dropped); --fsync
/// (directory).
/// Any failure leaves the destination untouched and the temporary to be
/// discarded by the caller.
finalize_result finalize_file(const copy_item& item, file_pair& pair, std::uint64_t final_size,
                              run_context& ctx);

} // namespace uring_cp

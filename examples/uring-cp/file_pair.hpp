// file_pair: a source opened for reading and its temporary destination,
// set up for one copy (O_DIRECT on both sides where asked for and possible,
// destination preallocated for O_DIRECT).
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"
#include "run_context.hpp"
#include "temp_file.hpp"

#include <asio_uring_fixed/copy_options.hpp>
#include <asio_uring_fixed/file.hpp>

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <optional>

namespace uring_cp {

struct file_pair {
  asio_uring_fixed::file source;
  temp_file destination;
  /// Size of the source when opened: the copy takes this many bytes (less if
  /// the source shrinks meanwhile, which source_changed then reports).
  std::uint64_t size = 0;
  /// Modification time of the source when opened (see source_changed).
  struct timespec mtime {};
  /// O_DIRECT alignment of both sides, or 0 when the copy is buffered.
  std::size_t alignment = 0;
  /// The source may have holes (see may_have_holes), or --sparse=always
  /// makes some: the copy goes region by region and is truncated to size.
  bool sparse = false;
  /// --sparse=always: blocks of zeros are not written (posix_copy).
  bool make_holes = false;
};

/// What open_pair needs of the source (from fstat, or statx through io_uring).
struct source_facts {
  mode_t mode = 0;
  std::uint64_t size = 0;
  std::uint64_t blocks = 0; ///< 512-byte units allocated
  struct timespec mtime {};
};

/// How the temporary is created: anonymous (O_TMPFILE) or named, and its mode
/// (see temp_file.hpp and creation_mode).
struct destination_plan {
  bool anonymous = false;
  mode_t mode = 0600;
};

/// The steps of open_pair, for a caller that opens, stats and creates
/// through io_uring: adopt_source takes the opened source and what it is
/// (refusing what is no longer a regular file); plan_destination says how
/// to create the temporary; finish_pair, once both are open, gives readahead
/// advice and sets up O_DIRECT and preallocation.
std::optional<failure> adopt_source(const copy_item& item, asio_uring_fixed::file source,
                                    const source_facts& facts, run_context& ctx, file_pair& out);
destination_plan plan_destination(const copy_item& item, const file_pair& pair,
                                  std::size_t block_size, const run_context& ctx);
std::optional<failure> finish_pair(const copy_item& item, bool want_direct, std::size_t block_size,
                                   run_context& ctx, file_pair& out);

/// Opens item's source and creates its temporary. With want_direct, switches
/// both to O_DIRECT when both filesystems support it and block_size is a
/// multiple of their alignment (else warns once and stays buffered), and
/// preallocates the destination unless the source has holes (those regions
/// are preallocated one by one: see preallocate).
std::optional<failure> open_pair(const copy_item& item, bool want_direct, std::size_t block_size,
                                 run_context& ctx, file_pair& out);

/// Reserves [begin, end) of the destination (fallocate) so O_DIRECT writes
/// do not take the slow allocating path. Filesystems without fallocate are
/// fine (nothing to do); ENOSPC is a failure.
std::optional<failure> preallocate(const copy_item& item, file_pair& pair, std::uint64_t begin,
                                   std::uint64_t end);

/// Whether the source was written to while it was copied: the copy ended
/// before pair.size (end_of_data), or its size or modification time is no
/// longer what open_pair saw. Then the bytes copied may mix old and new data
/// (or lack some), and the copy is refused with "source changed during copy"
/// rather than presented as complete. Checked after the last byte was read.
std::optional<failure> source_changed(const copy_item& item, const file_pair& pair,
                                      std::uint64_t end_of_data);

/// The failure for an I/O error while copying item. ENOSPC, EDQUOT and EFBIG
/// are the destination's; other errors name both sides, since a linked
/// READ_FIXED -> WRITE_FIXED step does not say which half failed.
failure copy_failure(const copy_item& item, const asio_uring_fixed::error_code& ec,
                     asio_uring_fixed::copy_side failed = asio_uring_fixed::copy_side::none);

} // namespace uring_cp

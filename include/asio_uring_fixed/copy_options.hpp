// What a copy step reports (copy_progress) and how it ends a file
// (copy_options).
#pragma once

#include <cstddef>

namespace asio_uring_fixed {

/// Which half of a copy step a failure belongs to.
enum class copy_side {
  none,  ///< nothing failed
  read,  ///< the read from the source (errors, end of file, its cancellation)
  write, ///< a write to the destination, or the tail's truncation
};

/// How many bytes each half of a copy step moved, and which half failed.
struct copy_progress {
  /// Bytes read from the source.
  std::size_t read = 0;
  /// Bytes of those written to the destination (never counts padding).
  std::size_t written = 0;
  /// The half whose request reported the completion's error.
  copy_side failed = copy_side::none;

  friend bool operator==(const copy_progress&, const copy_progress&) = default;
};

/// Options of async_copy_fixed_at.
struct copy_options {
  /// 0 (the default): the step writes exactly the bytes it read.
  ///
  /// A power of two (the destination's O_DIRECT alignment, e.g. from
  /// file::direct_alignment()): when the step reads fewer bytes than asked
  /// because it reached the end of the source (checked with fstat), and that
  /// count is not a multiple of pad_tail_to, it writes the bytes read padded
  /// with zeros to the next multiple, then truncates the destination to
  /// destination_offset + bytes read. This is how an O_DIRECT destination,
  /// whose writes must be aligned, gets a tail of any length. The step must
  /// then be the last of the destination: nothing after its end is kept.
  /// The lease's range size must be a multiple of pad_tail_to.
  std::size_t pad_tail_to = 0;
};

} // namespace asio_uring_fixed

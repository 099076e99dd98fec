// The ways uring-cp can move a file's bytes, and how `--method=auto` picks
// one.
#pragma once

#include <string>
#include <string_view>

namespace uring_cp {

enum class copy_method {
  /// Pick one of the others for the situation (see choose_method).
  automatic,
  /// The library's pipeline with registered buffers: READ_FIXED linked to
  /// WRITE_FIXED, many blocks and files in flight.
  fixed,
  /// The same pipeline with unregistered buffers (plain READ / WRITE).
  plain,
  /// A pread/pwrite loop per file on worker threads.
  posix,
  /// FICLONE (reflink), else copy_file_range, per file on worker threads;
  /// falls back to the pread/pwrite loop where the kernel refuses.
  kernel,
};

std::string_view to_string(copy_method method) noexcept;

/// --reflink=WHEN (cp's): auto clones (FICLONE) where the filesystem can
/// and copies otherwise; always clones or fails the file ("failed to
/// clone"); never neither clones nor uses copy_file_range (which may clone
/// by itself), so the copy has blocks of its own.
enum class reflink_mode { automatic, always, never };

/// --sparse=WHEN (cp's): auto keeps the holes of a source that has some;
/// always also leaves a hole for every 4 KiB block of zeros (found in
/// memory: the posix method only); never fills holes with written zeros.
enum class sparse_mode { automatic, always, never };

/// True for the methods that run on the library's pipeline.
inline bool uses_pipeline(copy_method method) noexcept {
  return method == copy_method::fixed || method == copy_method::plain;
}

struct method_choice {
  copy_method method;
  /// Why (printed with -v); empty when the user named the method.
  std::string reason;
};

/// Resolves copy_method::automatic:
///  - with --direct: the fixed pipeline (registration if possible), since
///    that is where registered buffers pay off — the device transfers straight
///    into pinned memory and each I/O skips pinning the user pages;
///  - buffered, source and destination on one filesystem: kernel
///    (reflink/copy_file_range): the data never crosses into user memory;
///  - buffered across filesystems: posix, because copy_file_range refuses
///    cross-filesystem copies (EXDEV) and buffered io_uring writes are handed
///    to io-wq worker threads, which costs more CPU than a pread/pwrite loop;
///  - --reflink=always: kernel (only it clones); --reflink=never or
///    --sparse=never, buffered: posix (the kernel method would clone or
///    copy_file_range, keeping holes); --sparse=always: posix (zero blocks
///    are found in memory).
method_choice choose_method(copy_method requested, bool direct, bool crosses_filesystems,
                            reflink_mode reflink = reflink_mode::automatic,
                            sparse_mode sparse = sparse_mode::automatic);

} // namespace uring_cp

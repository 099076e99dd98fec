// file: a small RAII file descriptor with O_DIRECT support, usable with
// every operation of this library (it has native_handle()).
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace asio_uring_fixed {

/// An open file. Move-only; closes on destruction. Synchronous members report
/// errors as system_error / error_code carrying the errno.
class file {
 public:
  /// Open flags, combined with |.
  enum open_flags : unsigned {
    read_only = 1u << 0,
    write_only = 1u << 1,
    read_write = 1u << 2,
    create = 1u << 3,    ///< O_CREAT
    exclusive = 1u << 4, ///< O_EXCL
    truncate = 1u << 5,  ///< O_TRUNC
    direct = 1u << 6,    ///< O_DIRECT: buffers, lengths and offsets aligned
    sync = 1u << 7,      ///< O_DSYNC
    no_follow = 1u << 8, ///< O_NOFOLLOW
  };

  file() noexcept = default;

  /// Opens path; throws system_error naming the path on failure.
  file(const std::filesystem::path& path, unsigned flags, unsigned mode = 0644);

  /// Adopts an open descriptor.
  explicit file(int fd) noexcept : fd_(fd) {}

  file(file&& other) noexcept;
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  ~file();

  /// Opens path (closing what was open); ec receives the errno.
  void open(const std::filesystem::path& path, unsigned flags, error_code& ec,
            unsigned mode = 0644) noexcept;

  bool is_open() const noexcept { return fd_ >= 0; }
  int native_handle() const noexcept { return fd_; }

  /// Gives up ownership of the descriptor.
  int release() noexcept;

  /// Closes the descriptor (errors from close(2) are ignored: the descriptor
  /// is gone either way).
  void close() noexcept;

  /// Size in bytes.
  std::uint64_t size() const;
  std::uint64_t size(error_code& ec) const noexcept;

  /// Truncates or extends to n bytes.
  void resize(std::uint64_t n);
  void resize(std::uint64_t n, error_code& ec) noexcept;

  /// Reserves blocks for [offset, offset + length) with fallocate(2),
  /// extending the size; lets O_DIRECT writes avoid the slow allocating path.
  void allocate(std::uint64_t offset, std::uint64_t length, error_code& ec) noexcept;

  /// The alignment O_DIRECT needs for memory and offsets on this file, from
  /// statx(STATX_DIOALIGN) where the kernel reports it (0 when it reports
  /// that this file does not support O_DIRECT); else 512, the common
  /// logical block size, as a guess.
  std::size_t direct_alignment() const noexcept;

 private:
  int fd_ = -1;
};

} // namespace asio_uring_fixed

// The served folder, and opening files beneath it without escaping it.
#pragma once

#include <asio_uring_fixed/file.hpp>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace http_server {

/// A regular file opened beneath the root, or the errno why not.
struct opened_file {
  /// 0, or ENOENT / ENOTDIR (not there), EXDEV (a symlink or ".." leads
  /// outside the root), ELOOP, EACCES, EISDIR / ENODEV (not a regular file).
  int error = 0;
  asio_uring_fixed::file file;
  struct stat status {};
  /// O_DIRECT alignment in effect (offsets, lengths, memory); 1 when the
  /// file is read through the page cache.
  std::size_t direct_alignment = 1;
};

class document_root {
 public:
  /// Opens dir (O_PATH); throws std::system_error when it cannot.
  explicit document_root(const std::filesystem::path& dir);
  ~document_root();
  document_root(const document_root&) = delete;
  document_root& operator=(const document_root&) = delete;

  /// Opens relative (from decode_target) for reading. Resolution stays
  /// beneath the root: openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS),
  /// so symlinks inside the root work and those leading out fail with
  /// EXDEV; where openat2 is missing, realpath() and a prefix check. With
  /// direct, O_DIRECT is switched on if the filesystem supports it for the
  /// file and its alignment divides max_alignment (else the file is read
  /// buffered). FIFOs and devices are refused without blocking.
  opened_file open(const std::string& relative, bool direct, std::size_t max_alignment) const;

  const std::string& path() const noexcept { return real_path_; }

 private:
  int open_beneath(const std::string& relative, int flags) const;

  int dir_fd_ = -1;
  std::string real_path_;
  mutable std::atomic<bool> have_openat2_{true};
};

} // namespace http_server

// temp_file: a file being written under a temporary name beside its
// destination ('.NAME.uring-cp.XXXXXX'), renamed into place only when
// complete, removed otherwise. This is what keeps a failed or interrupted
// copy from leaving a half-written file or touching an existing one.
#pragma once

#include <asio_uring_fixed/file.hpp>

#include <filesystem>
#include <system_error>

namespace uring_cp {

/// A free temporary name for destination, in its directory. The name is not
/// reserved: creating it must use O_EXCL (or fail with EEXIST) and retry.
std::filesystem::path temporary_name(const std::filesystem::path& destination);

/// Moves `from` to `to` (rename(2)); with no_replace, fails with EEXIST
/// instead of replacing an existing `to` (renameat2 RENAME_NOREPLACE, used by
/// -n so that a file created meanwhile is not overwritten); with durable,
/// fsyncs the directory afterwards so the new name survives a crash.
std::error_code move_into_place(const std::filesystem::path& from, const std::filesystem::path& to,
                                bool no_replace, bool durable);

/// fsync(2) of a directory ("" is the current one).
std::error_code sync_directory(const std::filesystem::path& dir);

class temp_file {
 public:
  temp_file() = default;

  /// Creates a new, empty temporary (O_RDWR | O_CREAT | O_EXCL; mode as for
  /// open(2), so less the umask) beside destination.
  static temp_file create(const std::filesystem::path& destination, unsigned mode,
                          std::error_code& ec);

  temp_file(temp_file&& other) noexcept;
  temp_file& operator=(temp_file&& other) noexcept;
  ~temp_file() { discard(); }

  asio_uring_fixed::file& file() noexcept { return file_; }
  int fd() const noexcept { return file_.native_handle(); }
  const std::filesystem::path& path() const noexcept { return path_; }

  /// Renames the file to destination (see move_into_place) and closes it.
  /// On success the temporary no longer exists; on failure it is still there
  /// and discard() removes it.
  std::error_code commit(const std::filesystem::path& destination, bool no_replace, bool durable);

  /// Closes and unlinks the temporary, if there is one.
  void discard() noexcept;

 private:
  asio_uring_fixed::file file_;
  std::filesystem::path path_;
};

} // namespace uring_cp

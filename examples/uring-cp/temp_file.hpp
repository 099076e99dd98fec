// temp_file: a file being written under a temporary name beside its
// destination ('.NAME.uring-cp.PID.XXXXXX'), renamed into place only when
// complete, removed otherwise. This is what keeps a failed or interrupted
// copy from leaving a half-written file or touching an existing one; what a
// killed process leaves behind is removed by the next run to the same
// destination (stale_temporaries.hpp).
#pragma once

#include <asio_uring_fixed/file.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace uring_cp {

/// The parts of a temporary name: '.' + the destination's name cut to
/// temporary_name_max_part bytes (so the whole stays within NAME_MAX) +
/// temporary_name_marker + the creating process's PID + '.' + a random
/// suffix of temporary_name_suffix_length letters and digits.
inline constexpr std::size_t temporary_name_max_part = 200;
inline constexpr std::string_view temporary_name_marker = ".uring-cp.";
inline constexpr std::size_t temporary_name_suffix_length = 6;

/// The destination's name as it appears in its temporaries' names.
std::string temporary_name_part(std::string_view name);

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
  /// open(2), so less the umask) beside destination, and takes an exclusive
  /// flock(2) on it that lasts until it is closed (the mark of a live one).
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

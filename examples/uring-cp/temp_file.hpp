// temp_file: a file being written under a temporary name beside its
// destination ('.NAME.uring-cp.PID.XXXXXX'), renamed into place only when
// complete, removed otherwise. This is what keeps a failed or interrupted
// copy from leaving a half-written file or touching an existing one; what a
// killed process leaves behind is removed by the next run to the same
// destination (stale_temporaries.hpp).
//
// A temporary may also be anonymous: an O_TMPFILE inode in the destination's
// directory, with no name at all until linkat(2) gives it the destination's
// when complete. That costs one directory operation instead of two (create,
// then rename), needs no lock, and a killed process leaves nothing behind.
// uring-cp uses it for new files that one block holds on tmpfs, where the
// directory operations cost as much as the data (disk filesystems journal
// such an inode on an orphan list, which costs more than the rename saves);
// a larger file keeps a named temporary, whose growth shows how far its
// copy is.
#pragma once

#include "dir_node.hpp"

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

/// A free temporary name for an entry called name, to be made in the same
/// directory. The name is not reserved: creating it must use O_EXCL (or fail
/// with EEXIST) and retry.
std::string temporary_name(std::string_view name);

/// Moves the entry `from` to `to` in the directory dir_fd (renameat(2));
/// with no_replace, fails with EEXIST instead of replacing an existing `to`
/// (renameat2 RENAME_NOREPLACE, used by -n so that a file created meanwhile
/// is not overwritten); with durable, fsyncs the directory afterwards so the
/// new name survives a crash.
std::error_code move_into_place(int dir_fd, const std::string& from, const std::string& to,
                                bool no_replace, bool durable);

/// fsync(2) of a directory (dir_fd may be an O_PATH descriptor).
std::error_code sync_directory(int dir_fd);

class temp_file {
 public:
  temp_file() = default;

  /// Creates a new, empty temporary (O_RDWR | O_CREAT | O_EXCL; mode as for
  /// open(2), so less the umask) beside the entry `name` of dir, and takes
  /// an exclusive flock(2) on it that lasts until it is closed (the mark of
  /// a live one). With anonymous, makes an O_TMPFILE one instead where the
  /// filesystem has them (else a named one, and no more O_TMPFILE attempts
  /// in this process). The temporary keeps dir open until it is committed or
  /// discarded.
  static temp_file create(dir_node& dir, const std::string& name, unsigned mode, bool anonymous,
                          std::error_code& ec);

  /// For a caller that creates the file itself (through io_uring): whether
  /// an anonymous one is worth trying, and, after openat(dir, ".",
  /// O_TMPFILE | O_RDWR, mode) failed with err, whether that was the
  /// filesystem refusing O_TMPFILE (then named from now on) rather than an
  /// error of this file.
  static bool anonymous_possible() noexcept;
  static bool anonymous_refused(int err) noexcept;

  /// Takes over what such a caller created as create() would: with
  /// anonymous, an O_TMPFILE file in dir; else the file `name` it made in dir
  /// with O_RDWR | O_CREAT | O_EXCL (name from temporary_name), on which the
  /// flock is then taken.
  static temp_file adopt(dir_ref dir, asio_uring_fixed::file file, std::string name,
                         std::string destination_name, bool anonymous);

  temp_file(temp_file&& other) noexcept;
  temp_file& operator=(temp_file&& other) noexcept;
  ~temp_file() { discard(); }

  asio_uring_fixed::file& file() noexcept { return file_; }
  int fd() const noexcept { return file_.native_handle(); }
  /// The temporary's name in its directory; empty when anonymous, and once
  /// committed or discarded.
  const std::string& name() const noexcept { return name_; }
  bool anonymous() const noexcept { return anonymous_; }
  /// The file has the destination's name (commit succeeded, perhaps short
  /// of the directory fsync).
  bool in_place() const noexcept { return in_place_; }

  /// Renames the file to the name it was created for (see move_into_place),
  /// or for an anonymous one links it there (failing with EEXIST under
  /// no_replace when the name exists, else replacing what appeared there
  /// since the plan through a named link and a rename), and closes it. On
  /// success the temporary no longer exists; on failure before in_place(),
  /// it is still there and discard() removes it.
  std::error_code commit(bool no_replace, bool durable);

  /// Closes and unlinks the temporary, if there is one.
  void discard() noexcept;

 private:
  std::error_code commit_anonymous(bool no_replace, bool durable);

  asio_uring_fixed::file file_;
  dir_ref dir_;
  std::string name_;
  std::string destination_name_;
  bool anonymous_ = false;
  bool in_place_ = false;
};

} // namespace uring_cp

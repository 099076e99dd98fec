// dir_node: a directory reached by openat() from its parent's descriptor,
// never by its full path, so that trees deeper than PATH_MAX can be walked
// and written (the path is only kept for messages). A node opens its
// descriptor when first used and keeps it while it is in use (dir_ref);
// unused descriptors are closed again beyond a fixed budget, so a tree of
// many directories does not run out of descriptors. Thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace uring_cp {

class dir_node;

/// An open O_PATH descriptor of a directory, valid while the dir_ref lives:
/// for the *at() calls (and fchownat/utimensat with AT_EMPTY_PATH); reading
/// the directory or fsync needs openat(fd, ".", O_RDONLY). O_PATH needs no
/// read permission on the directory, as the path-based calls did not.
class dir_ref {
 public:
  dir_ref() = default;
  dir_ref(const dir_ref&) = delete;
  dir_ref& operator=(const dir_ref&) = delete;
  dir_ref(dir_ref&& other) noexcept;
  dir_ref& operator=(dir_ref&& other) noexcept;
  ~dir_ref() { reset(); }

  int fd() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset() noexcept;

 private:
  friend class dir_node;
  dir_ref(std::shared_ptr<dir_node> node, int fd) noexcept : node_(std::move(node)), fd_(fd) {}
  std::shared_ptr<dir_node> node_;
  int fd_ = -1;
};

/// What a file created in a directory starts with, by the kernel's rules:
/// its group (the directory's when it is set-group-ID, else the process's
/// effective group), and whether a default ACL of the directory gives it an
/// access ACL and replaces the umask. Read once per directory.
struct creation_facts {
  /// False when the directory could not be read: assume nothing.
  bool known = false;
  /// The directory's filesystem.
  dev_t device = 0;
  gid_t group = 0;
  bool default_acl = true;
  /// On tmpfs or ramfs, where an O_TMPFILE temporary costs nothing more
  /// than a named one (disk filesystems journal it on an orphan list).
  bool in_memory = false;
};

class dir_node : public std::enable_shared_from_this<dir_node> {
 public:
  /// A directory named by a path from the current directory (an operand's
  /// directory, short enough to name: it was typed).
  static std::shared_ptr<dir_node> anchor(std::filesystem::path path);

  /// The entry name of this directory (".." allowed: the kernel walks it).
  /// Without follow, a symlink there is refused (ELOOP) rather than followed.
  std::shared_ptr<dir_node> child(std::string name, bool follow);

  /// Opens (or reuses) the descriptor; an empty ref with ec set on failure.
  dir_ref open(std::error_code& ec);

  /// See creation_facts: read on first use (fstat and one getxattr of the
  /// directory), then kept; thread-safe. For a destination directory, whose
  /// own mode and ACLs uring-cp sets only after its contents.
  const creation_facts& facts();

  /// The path for messages: the anchor's path and the names below it.
  const std::filesystem::path& path() const noexcept { return path_; }

  dir_node(std::shared_ptr<dir_node> parent, std::string name, std::filesystem::path path,
           bool follow);
  ~dir_node();
  dir_node(const dir_node&) = delete;
  dir_node& operator=(const dir_node&) = delete;

 private:
  friend class dir_ref;
  void unpin() noexcept;

  std::shared_ptr<dir_node> parent_; ///< null for an anchor
  std::string name_;                 ///< entry in parent_, or the anchor's path
  std::filesystem::path path_;
  bool follow_ = true;
  int fd_ = -1;  ///< guarded by the cache's mutex
  int pins_ = 0; ///< dir_refs alive
  std::once_flag facts_once_;
  creation_facts facts_;
};

} // namespace uring_cp

// Command-line options of uring-cp.
#pragma once

#include "copy_method.hpp"

#include <cstddef>
#include <filesystem>
#include <variant>
#include <vector>

namespace uring_cp {

/// Which symbolic links in sources are followed (cp's -L / -H / -P).
enum class dereference {
  always,       ///< -L, and the default without -r
  command_line, ///< -H
  never,        ///< -P, and the default with -r / -a
};

enum class progress_mode { automatic, on, off };

/// What is kept of each source (cp's --preserve attribute names; -p is mode,
/// ownership and timestamps, -a all of them).
struct preserve_set {
  bool mode = false;       ///< permission bits, and ACLs (system.posix_acl_*)
  bool ownership = false;  ///< owner and group, when permitted
  bool timestamps = false; ///< access and modification times
  bool links = false;      ///< hard links among the sources stay hard links
  bool xattr = false;      ///< extended attributes (except ACLs, which follow mode)
  bool context = false;    ///< the SELinux label (security.selinux)
  /// --preserve=xattr named explicitly: every failure to copy an xattr is an
  /// error (exit 1). Otherwise ENOTSUP is silent and other errors are
  /// printed without failing the run; with -a (quiet_xattr) nothing is printed.
  bool xattr_required = false;
  bool context_required = false;
  bool quiet_xattr = false;
};

struct options {
  std::vector<std::filesystem::path> sources;
  std::filesystem::path target;
  /// -t DIR: target is a directory to copy every source into.
  bool target_directory = false;

  bool recursive = false;
  preserve_set keep;
  bool no_clobber = false; ///< -n: never overwrite
  bool update = false;     ///< -u: skip destinations at least as new as their source
  bool parents = false;    ///< --parents: DIR/SOURCE with SOURCE's directories created
  /// -T: DEST is the destination itself, never a directory to copy into.
  bool no_target_directory = false;
  bool force = false; ///< -f: replace destinations we could not write
  bool verbose = false;
  dereference deref = dereference::always;

  copy_method method = copy_method::automatic;
  reflink_mode reflink = reflink_mode::automatic;
  sparse_mode sparse = sparse_mode::automatic;
  std::size_t queue_depth = 32;
  std::size_t block_size = std::size_t{1} << 20;
  bool direct = false;
  bool fsync = false;
  bool verify = false;
  progress_mode progress = progress_mode::automatic;
};

/// Parses the command line. Returns the options, or the exit status to leave
/// with right away (0 after --help / --version, 1 after a usage error, whose
/// message has been printed).
std::variant<options, int> parse_options(int argc, char** argv);

} // namespace uring_cp

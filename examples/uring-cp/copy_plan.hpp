// copy_plan: what a run will create, found by walking the sources before any
// byte is copied, with cp's checks done per item (same file, a directory into
// itself, a file onto a directory and the reverse, -n).
#pragma once

#include "console.hpp"
#include "dir_node.hpp"
#include "options.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace uring_cp {

enum class item_kind { directory, regular, symlink, special };

/// Where an entry is for system calls: its directory (opened by openat from
/// its parent, see dir_node.hpp) and its name there.
struct place {
  std::shared_ptr<dir_node> dir;
  std::string name;
};

/// Shared by the first name of a hard-linked source and the names linked to
/// its copy: whether that copy was put in place.
struct link_state {
  std::atomic<bool> committed{false};
};

struct copy_item {
  item_kind kind = item_kind::regular;
  /// The source as the user would name it (operand, or operand/child/...),
  /// for messages; the system calls use source_at.
  std::filesystem::path source;
  place source_at;
  /// Where it ends up (for messages; destination_at for system calls). For
  /// an existing symlink to a file this is the link's target: like cp,
  /// uring-cp writes through it.
  std::filesystem::path destination;
  place destination_at;
  /// For a directory: itself, as the directory of its entries.
  std::shared_ptr<dir_node> source_self, destination_self;
  /// lstat() of the source, or stat() where links are followed.
  struct stat source_stat {};
  /// stat() of the destination that existed when the plan was made.
  std::optional<struct stat> existing;
  /// Index into copy_plan::directories of the directory this item is created
  /// in, or -1 for operands (their parent is not ours to create).
  int parent = -1;
  /// With --preserve=links: set on the first name of a source inode that
  /// has more names in the run (copied), shared with those (linked to it).
  std::shared_ptr<link_state> linked;
  /// For an entry of copy_plan::links: the index of the first name, in
  /// copy_plan::files when kind is regular, else in copy_plan::others.
  int link_to = -1;
};

struct copy_plan {
  std::vector<copy_item> directories; ///< parents before children
  std::vector<copy_item> files;       ///< regular files
  std::vector<copy_item> others;      ///< symlinks and special files
  /// Later names of a source inode already in files or others (with
  /// --preserve=links): hard links to its copy, made once it is in place.
  std::vector<copy_item> links;
  /// Existing destinations left alone (-n, -u): no temporaries of this run,
  /// but those a killed run left for these names are still removed.
  std::vector<place> skipped;
  std::uint64_t total_bytes = 0;
  /// Some source and its destination are on different filesystems.
  bool crosses_filesystems = false;
  /// The operands make no sense as a whole (e.g. several sources and the
  /// target is not a directory): nothing is to be done.
  bool fatal = false;
};

/// Walks the sources. Items that cannot be copied are reported on out (the
/// run will exit 1) and left out of the plan; the rest is planned.
copy_plan make_plan(const options& opts, console& out);

} // namespace uring_cp

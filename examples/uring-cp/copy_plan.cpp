#include "copy_plan.hpp"

#include "failure.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

namespace uring_cp {
namespace {

namespace fs = std::filesystem;

/// The last component of a path, ignoring trailing slashes ("a/b/" -> "b").
fs::path base_name(const fs::path& p) {
  std::string s = p.native();
  while (s.size() > 1 && s.back() == '/')
    s.pop_back();
  auto slash = s.rfind('/');
  return slash == std::string::npos ? fs::path(s) : fs::path(s.substr(slash + 1));
}

bool same_inode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/// realpath() of an existing path, or of its deepest existing ancestor with
/// the rest appended (destinations usually do not exist yet).
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p, ec).lexically_normal() : r;
}

bool newer(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

/// The path without trailing slashes ("a/b/" -> "a/b"; "/" stays).
fs::path without_trailing_slashes(const fs::path& p) {
  std::string s = p.native();
  while (s.size() > 1 && s.back() == '/')
    s.pop_back();
  return s;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end() || (std::next(o) == outer.end() && o->empty());
}

class planner {
 public:
  planner(const options& opts, console& out) : opts_(opts), out_(out) {}

  copy_plan run() {
    struct stat target {};
    int target_errno = ::stat(opts_.target.c_str(), &target) == 0 ? 0 : errno;
    bool target_is_dir = target_errno == 0 && S_ISDIR(target.st_mode);
    if (opts_.target_directory && !target_is_dir) {
      out_.error(fmt::format("target directory {}: {}", quote(opts_.target),
                             std::strerror(target_errno ? target_errno : ENOTDIR)));
      plan_.fatal = true;
      return std::move(plan_);
    }
    if (opts_.no_target_directory)
      target_is_dir = false;
    if (opts_.parents && !target_is_dir) {
      out_.error("with --parents, the destination must be a directory\nTry 'uring-cp --help' "
                 "for more information.");
      plan_.fatal = true;
      return std::move(plan_);
    }
    if (opts_.sources.size() > 1 && !target_is_dir) {
      if (target_errno)
        out_.error(path_failure("target", opts_.target, target_errno).message);
      else
        out_.error(fmt::format("target {} is not a directory", quote(opts_.target)));
      plan_.fatal = true;
      return std::move(plan_);
    }
    for (const fs::path& source : opts_.sources) {
      struct stat st {};
      bool follow = opts_.deref != dereference::never;
      if ((follow ? ::stat(source.c_str(), &st) : ::lstat(source.c_str(), &st)) != 0) {
        out_.error(path_failure("cannot stat", source, errno).message);
        continue;
      }
      int parent = -1;
      fs::path destination;
      if (opts_.parents) {
        if (!parent_directories(source, destination, parent))
          continue;
      } else {
        destination = target_is_dir ? opts_.target / base_name(source) : opts_.target;
      }
      note_filesystem(st, destination);
      add(source, destination, st, parent, true);
    }
    return std::move(plan_);
  }

 private:
  /// --parents: the destination of source is TARGET/source (a leading '/'
  /// dropped), and the directories on the way are planned as copies of the
  /// source's (created unless they exist, attributes as for any directory).
  /// Sets destination and parent (the innermost one); false if one of them
  /// cannot be made (reported).
  bool parent_directories(const fs::path& source, fs::path& destination, int& parent) {
    fs::path relative = without_trailing_slashes(source).relative_path();
    fs::path src_prefix = source.is_absolute() ? fs::path("/") : fs::path();
    fs::path dst_prefix = opts_.target;
    for (const fs::path& part : relative.parent_path()) {
      src_prefix /= part;
      dst_prefix /= part;
      if (part == "." || part == "..")
        continue; // a step through an existing directory: nothing to make
      auto known = parents_.find(dst_prefix);
      if (known != parents_.end()) {
        parent = known->second;
        continue;
      }
      copy_item dir;
      dir.kind = item_kind::directory;
      dir.source = src_prefix;
      dir.destination = dst_prefix;
      dir.parent = parent;
      if (::stat(src_prefix.c_str(), &dir.source_stat) != 0) {
        out_.error(path_failure("cannot stat", src_prefix, errno).message);
        return false;
      }
      struct stat d {};
      if (::stat(dst_prefix.c_str(), &d) == 0) {
        if (!S_ISDIR(d.st_mode)) {
          out_.error(path_failure("cannot make directory", dst_prefix, ENOTDIR).message);
          return false;
        }
        dir.existing = d;
      }
      parent = static_cast<int>(plan_.directories.size());
      parents_.emplace(dst_prefix, parent);
      plan_.directories.push_back(std::move(dir));
    }
    destination = opts_.target / relative;
    return true;
  }

  void note_filesystem(const struct stat& source, const fs::path& destination) {
    fs::path dir = destination.parent_path();
    struct stat d {};
    if (::stat(dir.empty() ? "." : dir.c_str(), &d) == 0 && d.st_dev != source.st_dev)
      plan_.crosses_filesystems = true;
  }

  void add(const fs::path& source, const fs::path& destination, const struct stat& st, int parent,
           bool operand) {
    struct stat existing {};
    bool exists = ::lstat(destination.c_str(), &existing) == 0;
    if (S_ISDIR(st.st_mode))
      return add_directory(source, destination, st, parent, operand, exists ? &existing : nullptr);

    copy_item item;
    item.source = source;
    item.destination = destination;
    item.source_stat = st;
    item.parent = parent;
    item.kind = S_ISREG(st.st_mode)   ? item_kind::regular
                : S_ISLNK(st.st_mode) ? item_kind::symlink
                                      : item_kind::special;
    if (item.kind == item_kind::special && !opts_.recursive) {
      out_.error(fmt::format("cannot copy {}: not a regular file (use -r to recreate special "
                             "files)",
                             quote(source)));
      return;
    }
    if (exists && !check_existing(item, existing))
      return;
    if (opts_.keep.links && st.st_nlink > 1 && !link_to_first_name(item))
      return;
    if (item.kind == item_kind::regular) {
      plan_.total_bytes += static_cast<std::uint64_t>(st.st_size);
      plan_.files.push_back(std::move(item));
    } else {
      plan_.others.push_back(std::move(item));
    }
  }

  /// --preserve=links: true if item is the first name of its source inode
  /// in this run (to be copied); else it has become an entry of plan_.links.
  bool link_to_first_name(copy_item& item) {
    bool file = item.kind == item_kind::regular;
    auto& list = file ? plan_.files : plan_.others;
    auto [it, first] = first_names_.try_emplace(
        std::pair(item.source_stat.st_dev, item.source_stat.st_ino), static_cast<int>(list.size()));
    if (first)
      return true;
    copy_item& first_name = list[static_cast<std::size_t>(it->second)];
    if (!first_name.linked)
      first_name.linked = std::make_shared<link_state>();
    item.linked = first_name.linked;
    item.link_to = it->second;
    plan_.links.push_back(std::move(item));
    return false;
  }

  /// cp's rules for an existing destination of a non-directory. Returns false
  /// when the item is not to be copied (reported, or skipped with -n).
  bool check_existing(copy_item& item, const struct stat& lst) {
    struct stat st = lst;
    if (S_ISLNK(lst.st_mode) && item.kind == item_kind::regular) {
      // cp writes through a symlink at the destination.
      if (::stat(item.destination.c_str(), &st) != 0) {
        if (opts_.no_clobber) {
          plan_.skipped.push_back(item.destination);
          return false;
        }
        out_.error(fmt::format("not writing through dangling symlink {}", quote(item.destination)));
        return false;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      out_.error(
          fmt::format("cannot overwrite directory {} with non-directory", quote(item.destination)));
      return false;
    }
    if (same_inode(item.source_stat, st) || same_inode(item.source_stat, lst)) {
      out_.error(
          fmt::format("{} and {} are the same file", quote(item.source), quote(item.destination)));
      return false;
    }
    if (opts_.no_clobber || (opts_.update && !newer(item.source_stat.st_mtim, st.st_mtim))) {
      plan_.skipped.push_back(item.destination);
      return false;
    }
    if (S_ISLNK(lst.st_mode) && item.kind == item_kind::regular) {
      std::error_code ec;
      fs::path target = fs::canonical(item.destination, ec);
      if (!ec)
        item.destination = target;
    }
    if (item.kind == item_kind::regular && !opts_.force &&
        ::access(item.destination.c_str(), W_OK) != 0 && errno == EACCES) {
      out_.error(path_failure("cannot create regular file", item.destination, EACCES).message);
      return false;
    }
    item.existing = st;
    return true;
  }

  void add_directory(const fs::path& source, const fs::path& destination, const struct stat& st,
                     int parent, bool operand, const struct stat* existing_lstat) {
    if (!opts_.recursive) {
      out_.error(fmt::format("-r not specified; omitting directory {}", quote(source)));
      return;
    }
    std::optional<struct stat> existing;
    if (existing_lstat) {
      struct stat d {};
      if (::stat(destination.c_str(), &d) != 0 || !S_ISDIR(d.st_mode)) {
        out_.error(fmt::format("cannot overwrite non-directory {} with directory {}",
                               quote(destination), quote(source)));
        return;
      }
      existing = d;
    }
    if (existing && existing->st_dev == st.st_dev && existing->st_ino == st.st_ino) {
      out_.error(fmt::format("{} and {} are the same file", quote(source), quote(destination)));
      return;
    }
    if (operand) {
      fs::path from = resolved(source), to = resolved(destination);
      if (is_within(to, from)) {
        out_.error(fmt::format("cannot copy a directory, {}, into itself, {}", quote(source),
                               quote(destination)));
        return;
      }
    }
    DIR* dir = ::opendir(source.c_str());
    if (!dir) {
      out_.error(path_failure("cannot access", source, errno).message);
      return;
    }
    copy_item item;
    item.kind = item_kind::directory;
    item.source = source;
    item.destination = destination;
    item.source_stat = st;
    item.existing = existing;
    item.parent = parent;
    int index = static_cast<int>(plan_.directories.size());
    plan_.directories.push_back(std::move(item));

    // Children in name order: reproducible output and runs.
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..")
        names.emplace_back(name);
    }
    int read_error = errno;
    int fd = ::dirfd(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      struct stat child {};
      int flags = opts_.deref == dereference::always ? 0 : AT_SYMLINK_NOFOLLOW;
      if (::fstatat(fd, name.c_str(), &child, flags) != 0) {
        out_.error(path_failure("cannot stat", source / name, errno).message);
        continue;
      }
      add(source / name, destination / name, child, index, false);
    }
    ::closedir(dir);
    if (read_error)
      out_.error(path_failure("cannot read directory", source, read_error).message);
  }

  const options& opts_;
  console& out_;
  copy_plan plan_;
  /// --parents: destination directories planned, by path.
  std::map<fs::path, int> parents_;
  /// --preserve=links: (st_dev, st_ino) -> index of its first name.
  std::map<std::pair<dev_t, ino_t>, int> first_names_;
};

} // namespace

copy_plan make_plan(const options& opts, console& out) {
  return planner(opts, out).run();
}

} // namespace uring_cp

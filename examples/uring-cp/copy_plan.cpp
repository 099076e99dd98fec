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

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end() || (std::next(o) == outer.end() && o->empty());
}

class planner {
 public:
  planner(const options& opts, console& out) : opts_(opts), out_(out) {}

  copy_plan run() {
    struct stat target {};
    bool target_is_dir = ::stat(opts_.target.c_str(), &target) == 0 && S_ISDIR(target.st_mode);
    if (opts_.sources.size() > 1 && !target_is_dir) {
      if (::access(opts_.target.c_str(), F_OK) != 0)
        out_.error(path_failure("target", opts_.target, errno).message);
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
      fs::path destination = target_is_dir ? opts_.target / base_name(source) : opts_.target;
      note_filesystem(st, destination);
      add(source, destination, st, -1, true);
    }
    return std::move(plan_);
  }

 private:
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
    if (item.kind == item_kind::regular) {
      plan_.total_bytes += static_cast<std::uint64_t>(st.st_size);
      plan_.files.push_back(std::move(item));
    } else {
      plan_.others.push_back(std::move(item));
    }
  }

  /// cp's rules for an existing destination of a non-directory. Returns false
  /// when the item is not to be copied (reported, or skipped with -n).
  bool check_existing(copy_item& item, const struct stat& lst) {
    struct stat st = lst;
    if (S_ISLNK(lst.st_mode) && item.kind == item_kind::regular) {
      // cp writes through a symlink at the destination.
      if (::stat(item.destination.c_str(), &st) != 0) {
        if (opts_.no_clobber)
          return false;
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
    if (opts_.no_clobber)
      return false;
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
};

} // namespace

copy_plan make_plan(const options& opts, console& out) {
  return planner(opts, out).run();
}

} // namespace uring_cp

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
#include <set>
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

/// An operand (or the target) split into its directory and its name.
place operand_place(const fs::path& p) {
  std::string s = without_trailing_slashes(p).native();
  if (s == "/")
    return {dir_node::anchor("/"), "."};
  auto slash = s.rfind('/');
  if (slash == std::string::npos)
    return {dir_node::anchor("."), s};
  return {dir_node::anchor(slash == 0 ? std::string("/") : s.substr(0, slash)),
          s.substr(slash + 1)};
}

/// fstatat() of at; errno (of opening its directory, or of the stat) in
/// err when it fails.
bool stat_at(const place& at, struct stat& st, int flags, int& err) {
  std::error_code ec;
  dir_ref dir = at.dir->open(ec);
  if (!dir) {
    err = ec.value();
    return false;
  }
  if (::fstatat(dir.fd(), at.name.c_str(), &st, flags) != 0) {
    err = errno;
    return false;
  }
  return true;
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
    std::shared_ptr<dir_node> target_dir = target_is_dir ? dir_node::anchor(opts_.target) : nullptr;
    for (const fs::path& source : opts_.sources) {
      struct stat st {};
      bool follow = opts_.deref != dereference::never;
      if ((follow ? ::stat(source.c_str(), &st) : ::lstat(source.c_str(), &st)) != 0) {
        out_.error(path_failure("cannot stat", source, errno).message);
        continue;
      }
      int parent = -1;
      fs::path destination;
      place destination_at;
      if (opts_.parents) {
        if (!parent_directories(source, target_dir, destination, destination_at, parent))
          continue;
      } else if (target_is_dir) {
        destination = opts_.target / base_name(source);
        destination_at = {target_dir, base_name(source).native()};
      } else {
        destination = opts_.target;
        destination_at = operand_place(opts_.target);
      }
      note_filesystem(st, destination_at);
      add(source, operand_place(source), destination, destination_at, st, parent, true);
    }
    return std::move(plan_);
  }

 private:
  /// --parents: the destination of source is TARGET/source (a leading '/'
  /// dropped), and the directories on the way are planned as copies of the
  /// source's (created unless they exist, attributes as for any directory).
  /// Sets destination and parent (the innermost one); false if one of them
  /// cannot be made (reported).
  bool parent_directories(const fs::path& source, const std::shared_ptr<dir_node>& target_dir,
                          fs::path& destination, place& destination_at, int& parent) {
    fs::path relative = without_trailing_slashes(source).relative_path();
    fs::path src_prefix = source.is_absolute() ? fs::path("/") : fs::path();
    fs::path dst_prefix = opts_.target;
    std::shared_ptr<dir_node> src_node = dir_node::anchor(source.is_absolute() ? "/" : ".");
    std::shared_ptr<dir_node> dst_node = target_dir;
    for (const fs::path& part : relative.parent_path()) {
      src_prefix /= part;
      dst_prefix /= part;
      place src_at{src_node, part.native()}, dst_at{dst_node, part.native()};
      src_node = src_node->child(part.native(), true);
      dst_node = dst_node->child(part.native(), true);
      if (part == "." || part == "..")
        continue; // a step through an existing directory: nothing to make
      auto known = parents_.find(dst_prefix);
      if (known != parents_.end()) {
        parent = known->second;
        src_node = plan_.directories[static_cast<std::size_t>(parent)].source_self;
        dst_node = plan_.directories[static_cast<std::size_t>(parent)].destination_self;
        continue;
      }
      copy_item dir;
      dir.kind = item_kind::directory;
      dir.source = src_prefix;
      dir.source_at = src_at;
      dir.destination = dst_prefix;
      dir.destination_at = dst_at;
      dir.source_self = src_node;
      dir.destination_self = dst_node;
      dir.parent = parent;
      int err = 0;
      if (!stat_at(src_at, dir.source_stat, 0, err)) {
        out_.error(path_failure("cannot stat", src_prefix, err).message);
        return false;
      }
      struct stat d {};
      if (stat_at(dst_at, d, 0, err)) {
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
    destination_at = {dst_node, relative.filename().native()};
    return true;
  }

  void note_filesystem(const struct stat& source, const place& destination) {
    std::error_code ec;
    dir_ref dir = destination.dir->open(ec);
    struct stat d {};
    if (dir && ::fstat(dir.fd(), &d) == 0 && d.st_dev != source.st_dev)
      plan_.crosses_filesystems = true;
  }

  void add(const fs::path& source, place source_at, const fs::path& destination,
           place destination_at, const struct stat& st, int parent, bool operand) {
    struct stat existing {};
    int err = 0;
    // Nothing exists yet in a destination directory this run creates: no
    // look-up (for a tree, one system call per entry saved).
    bool exists = !new_destination_dirs_.contains(destination_at.dir.get()) &&
                  stat_at(destination_at, existing, AT_SYMLINK_NOFOLLOW, err);
    if (S_ISDIR(st.st_mode))
      return add_directory(source, std::move(source_at), destination, std::move(destination_at), st,
                           parent, operand, exists ? &existing : nullptr);

    copy_item item;
    item.source = source;
    item.source_at = std::move(source_at);
    item.destination = destination;
    item.destination_at = std::move(destination_at);
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

  /// A symlink at the destination, followed to where its (last) target is,
  /// one openat-relative step per link (at most 40, as the kernel allows).
  /// False if it cannot be followed (dangling, a loop).
  bool follow_destination_link(copy_item& item, struct stat& st) {
    place at = item.destination_at;
    fs::path shown = item.destination;
    for (int depth = 0; depth < 40; ++depth) {
      std::error_code ec;
      dir_ref dir = at.dir->open(ec);
      if (!dir)
        return false;
      std::string target(4096, '\0');
      ssize_t n = ::readlinkat(dir.fd(), at.name.c_str(), target.data(), target.size());
      if (n < 0 || static_cast<std::size_t>(n) >= target.size())
        return false;
      target.resize(static_cast<std::size_t>(n));
      fs::path t(target);
      std::shared_ptr<dir_node> d = t.is_absolute() ? dir_node::anchor("/") : at.dir;
      fs::path parent = t.relative_path().parent_path();
      for (const fs::path& part : parent)
        d = d->child(part.native(), true);
      shown = t.is_absolute() ? t : shown.parent_path() / t;
      at = {d, t.filename().native()};
      int err = 0;
      struct stat lst {};
      if (!stat_at(at, lst, AT_SYMLINK_NOFOLLOW, err))
        return false;
      if (!S_ISLNK(lst.st_mode)) {
        st = lst;
        item.destination = shown.lexically_normal();
        item.destination_at = at;
        return true;
      }
    }
    return false;
  }

  /// cp's rules for an existing destination of a non-directory. Returns false
  /// when the item is not to be copied (reported, or skipped with -n / -u).
  bool check_existing(copy_item& item, const struct stat& lst) {
    struct stat st = lst;
    copy_item through = item;
    bool writes_through = S_ISLNK(lst.st_mode) && item.kind == item_kind::regular;
    if (writes_through) {
      // cp writes through a symlink at the destination.
      if (!follow_destination_link(through, st)) {
        if (opts_.no_clobber) {
          plan_.skipped.push_back(item.destination_at);
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
      plan_.skipped.push_back(item.destination_at);
      return false;
    }
    if (writes_through) {
      item.destination = through.destination;
      item.destination_at = through.destination_at;
    }
    if (item.kind == item_kind::regular && !opts_.force) {
      std::error_code ec;
      dir_ref dir = item.destination_at.dir->open(ec);
      if (dir && ::faccessat(dir.fd(), item.destination_at.name.c_str(), W_OK, 0) != 0 &&
          errno == EACCES) {
        out_.error(path_failure("cannot create regular file", item.destination, EACCES).message);
        return false;
      }
    }
    item.existing = st;
    return true;
  }

  void add_directory(const fs::path& source, place source_at, const fs::path& destination,
                     place destination_at, const struct stat& st, int parent, bool operand,
                     const struct stat* existing_lstat) {
    if (!opts_.recursive) {
      out_.error(fmt::format("-r not specified; omitting directory {}", quote(source)));
      return;
    }
    std::optional<struct stat> existing;
    if (existing_lstat) {
      struct stat d {};
      int err = 0;
      if (!stat_at(destination_at, d, 0, err) || !S_ISDIR(d.st_mode)) {
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
    // Operands and, with -L, everything is followed; below an operand with
    // -P/-H a symlink that replaced a directory since it was seen is refused.
    bool follow = operand ? opts_.deref != dereference::never : opts_.deref == dereference::always;
    std::shared_ptr<dir_node> source_self = source_at.dir->child(source_at.name, follow);
    std::error_code ec;
    dir_ref self = source_self->open(ec);
    int listing = self ? ::openat(self.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    DIR* dir = listing >= 0 ? ::fdopendir(listing) : nullptr;
    if (!dir) {
      int err = ec ? ec.value() : errno;
      if (listing >= 0)
        ::close(listing);
      out_.error(path_failure("cannot access", source, err).message);
      return;
    }
    copy_item item;
    item.kind = item_kind::directory;
    item.source = source;
    item.source_at = std::move(source_at);
    item.destination = destination;
    item.destination_at = destination_at;
    item.source_self = source_self;
    item.destination_self = destination_at.dir->child(destination_at.name, true);
    item.source_stat = st;
    item.existing = existing;
    item.parent = parent;
    std::shared_ptr<dir_node> destination_self = item.destination_self;
    if (!existing)
      new_destination_dirs_.insert(destination_self.get());
    int index = static_cast<int>(plan_.directories.size());
    plan_.directories.push_back(std::move(item));

    // Children in name order: reproducible output and runs. All are looked
    // at before any is walked, so that only the directory being read holds
    // a descriptor (not every level above it).
    std::vector<std::pair<std::string, struct stat>> children;
    errno = 0;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..")
        children.push_back({std::string(name), {}});
    }
    int read_error = errno;
    std::sort(children.begin(), children.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    int flags = opts_.deref == dereference::always ? 0 : AT_SYMLINK_NOFOLLOW;
    std::vector<char> ok(children.size(), 0);
    for (std::size_t i = 0; i < children.size(); ++i) {
      auto& [name, child] = children[i];
      if (::fstatat(self.fd(), name.c_str(), &child, flags) == 0)
        ok[i] = 1;
      else
        out_.error(path_failure("cannot stat", source / name, errno).message);
    }
    ::closedir(dir);
    self.reset();
    if (read_error)
      out_.error(path_failure("cannot read directory", source, read_error).message);
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (!ok[i])
        continue;
      const auto& [name, child] = children[i];
      add(source / name, {source_self, name}, destination / name, {destination_self, name}, child,
          index, false);
    }
  }

  const options& opts_;
  console& out_;
  copy_plan plan_;
  /// --parents: destination directories planned, by path.
  std::map<fs::path, int> parents_;
  /// Destination directories that did not exist when planned (the nodes
  /// live as long as the plan's items).
  std::set<const dir_node*> new_destination_dirs_;
  /// --preserve=links: (st_dev, st_ino) -> index of its first name.
  std::map<std::pair<dev_t, ino_t>, int> first_names_;
};

} // namespace

copy_plan make_plan(const options& opts, console& out) {
  return planner(opts, out).run();
}

} // namespace uring_cp

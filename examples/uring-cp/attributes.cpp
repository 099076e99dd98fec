#include "attributes.hpp"

#include "xattrs.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace uring_cp {
namespace {

constexpr mode_t permission_bits = 07777;
constexpr mode_t set_id_bits = S_ISUID | S_ISGID;

/// chown failures that just mean "not permitted here": cp -p ignores them.
bool ownership_not_permitted(int err) {
  return err == EPERM || err == EINVAL;
}

std::string proc_path(int fd) {
  return fmt::format("/proc/self/fd/{}", fd);
}

/// Ownership first (a chown may clear set-id bits and security.capability),
/// then xattrs, mode, ACLs; times last. chown/chmod/utimens act on fd
/// (through /proc/self/fd for an O_PATH one: fchmod refuses those). mode is
/// the mode to set, if any; existing the file being replaced, whose owner is
/// kept (best effort) when neither mode nor ownership is preserved.
std::optional<failure> apply(int src_fd, int dst_fd, bool o_path, const copy_item& item,
                             const struct stat* existing, std::optional<mode_t> mode,
                             const preserve_set& keep, console& out) {
  const struct stat& src = item.source_stat;
  bool link = item.kind == item_kind::symlink;
  bool directory = item.kind == item_kind::directory;
  auto chown_to = [&](uid_t uid, gid_t gid) {
    return o_path ? ::fchownat(dst_fd, "", uid, gid, AT_EMPTY_PATH) : ::fchown(dst_fd, uid, gid);
  };
  if (keep.ownership) {
    if (chown_to(src.st_uid, src.st_gid) != 0) {
      if (!ownership_not_permitted(errno))
        return path_failure("failed to preserve ownership for", item.destination, errno);
      if (mode)
        *mode &= ~set_id_bits;
    }
  } else if (existing && !keep.mode && mode) {
    if (chown_to(existing->st_uid, existing->st_gid) != 0)
      *mode &= ~set_id_bits; // best effort, as for a file we could not chown
  }
  copy_xattrs({src_fd, o_path}, {dst_fd, o_path}, item.destination, keep, out);
  if (mode && !link) {
    int r = o_path ? ::chmod(proc_path(dst_fd).c_str(), *mode) : ::fchmod(dst_fd, *mode);
    if (r != 0)
      return path_failure("setting permissions for", item.destination, errno);
  }
  if (!link)
    copy_acls({src_fd, o_path}, {dst_fd, o_path}, directory, item.destination, keep, out);
  if (keep.timestamps) {
    const struct timespec times[2] = {src.st_atim, src.st_mtim};
    int r = o_path ? ::utimensat(dst_fd, "", times, AT_EMPTY_PATH) : ::futimens(dst_fd, times);
    if (r != 0)
      return path_failure("preserving times for", item.destination, errno);
  }
  return std::nullopt;
}

} // namespace

mode_t creation_mode(const copy_item& item, const preserve_set& keep) {
  if (keep.mode || keep.ownership || keep.xattr || keep.context || item.existing)
    return 0600;
  return item.source_stat.st_mode & 0777; // the kernel takes the umask off
}

std::optional<failure> apply_file_attributes(int src_fd, int dst_fd, const copy_item& item,
                                             const preserve_set& keep, mode_t umask, console& out) {
  std::optional<mode_t> mode;
  if (keep.mode)
    mode = item.source_stat.st_mode & permission_bits;
  else if (item.existing)
    mode = item.existing->st_mode & permission_bits;
  else if (creation_mode(item, keep) == 0600)
    mode = item.source_stat.st_mode & 0777 & ~umask;
  return apply(src_fd, dst_fd, false, item, item.existing ? &*item.existing : nullptr, mode, keep,
               out);
}

std::optional<failure> apply_directory_attributes(int src_fd, int dst_fd, const copy_item& item,
                                                  bool created, const preserve_set& keep,
                                                  mode_t umask, console& out) {
  std::optional<mode_t> mode;
  if (keep.mode)
    mode = item.source_stat.st_mode & permission_bits;
  else if (created)
    mode = item.source_stat.st_mode & 0777 & ~umask;
  // An existing directory keeps its owner unless ownership is preserved.
  return apply(src_fd, dst_fd, true, item, nullptr, mode, keep, out);
}

std::optional<failure> apply_other_attributes(int src_fd, int dst_fd, const copy_item& item,
                                              const preserve_set& keep, mode_t umask,
                                              console& out) {
  std::optional<mode_t> mode;
  if (keep.mode)
    mode = item.source_stat.st_mode & permission_bits;
  else
    mode = item.source_stat.st_mode & 0777 & ~umask;
  // Made new: nothing of the one it replaces is kept.
  return apply(src_fd, dst_fd, true, item, nullptr, mode, keep, out);
}

} // namespace uring_cp

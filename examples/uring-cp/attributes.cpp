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
/// born_owned: the file was created with the owner and group to preserve
/// (no chown); acls: what is known of ACLs (see acl_hints).
std::optional<failure> apply(int src_fd, int dst_fd, bool o_path, const copy_item& item,
                             const struct stat* existing, std::optional<mode_t> mode,
                             const preserve_set& keep, console& out, bool born_owned = false,
                             acl_hints acls = {}) {
  const struct stat& src = item.source_stat;
  bool link = item.kind == item_kind::symlink;
  bool directory = item.kind == item_kind::directory;
  auto chown_to = [&](uid_t uid, gid_t gid) {
    return o_path ? ::fchownat(dst_fd, "", uid, gid, AT_EMPTY_PATH) : ::fchown(dst_fd, uid, gid);
  };
  if (keep.ownership && !born_owned) {
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
  if (std::optional<bool> listed_acl =
          copy_xattrs({src_fd, o_path}, {dst_fd, o_path}, item.destination, keep, out))
    acls.source_may_have = *listed_acl;
  if (mode && !link) {
    int r = o_path ? ::chmod(proc_path(dst_fd).c_str(), *mode) : ::fchmod(dst_fd, *mode);
    if (r != 0)
      return path_failure("setting permissions for", item.destination, errno);
  }
  if (!link)
    copy_acls({src_fd, o_path}, {dst_fd, o_path}, directory, item.destination, keep, out, acls);
  if (keep.timestamps) {
    const struct timespec times[2] = {src.st_atim, src.st_mtim};
    int r = o_path ? ::utimensat(dst_fd, "", times, AT_EMPTY_PATH) : ::futimens(dst_fd, times);
    if (r != 0)
      return path_failure("preserving times for", item.destination, errno);
  }
  return std::nullopt;
}

/// A new file's owner is already the source's: this process's effective
/// user, and the group the directory gives (see creation_facts).
bool born_with_owner(const copy_item& item, const creation_facts& facts) {
  static const uid_t euid = ::geteuid();
  return !item.existing && facts.known && item.source_stat.st_uid == euid &&
         item.source_stat.st_gid == facts.group;
}

/// The mode apply_file_attributes gives a regular file, if it sets one.
std::optional<mode_t> final_mode(const copy_item& item, const preserve_set& keep, mode_t umask) {
  if (keep.mode)
    return item.source_stat.st_mode & permission_bits;
  if (item.existing)
    return item.existing->st_mode & permission_bits;
  if (keep.ownership || keep.xattr || keep.context)
    return item.source_stat.st_mode & 0777 & ~umask;
  return std::nullopt; // open(2) gave it
}

/// Whether the file can be created with its final mode and nothing later
/// changes it: a new file, no default ACL, no set-ID or sticky bit, nothing
/// the umask takes off, writable by its owner (for the xattrs), and owned as
/// it should be already when ownership is kept (a chown would come after
/// the file was readable with the wrong owner).
bool born_final(const copy_item& item, const preserve_set& keep, mode_t umask, mode_t mode) {
  const creation_facts& facts = item.destination_at.dir->facts();
  return !item.existing && facts.known && !facts.default_acl && (mode & 07000) == 0 &&
         (mode & umask) == 0 && (mode & S_IWUSR) != 0 &&
         (!keep.ownership || born_with_owner(item, facts));
}

} // namespace

mode_t creation_mode(const copy_item& item, const preserve_set& keep, mode_t umask) {
  std::optional<mode_t> mode = final_mode(item, keep, umask);
  if (!mode)
    return item.source_stat.st_mode & 0777; // the kernel takes the umask off
  return born_final(item, keep, umask, *mode) ? *mode : 0600;
}

std::optional<failure> apply_file_attributes(int src_fd, int dst_fd, const copy_item& item,
                                             const preserve_set& keep, mode_t umask, console& out) {
  std::optional<mode_t> mode = final_mode(item, keep, umask);
  if (mode && born_final(item, keep, umask, *mode))
    mode.reset(); // created with it
  const creation_facts& facts = item.destination_at.dir->facts();
  acl_hints acls;
  acls.destination_may_have = !facts.known || facts.default_acl;
  return apply(src_fd, dst_fd, false, item, item.existing ? &*item.existing : nullptr, mode, keep,
               out, keep.ownership && born_with_owner(item, facts), acls);
}

std::optional<failure> apply_directory_attributes(int src_fd, int dst_fd, const copy_item& item,
                                                  bool created, const preserve_set& keep,
                                                  mode_t umask, console& out) {
  std::optional<mode_t> mode;
  if (keep.mode)
    mode = item.source_stat.st_mode & permission_bits;
  else if (created && (keep.ownership || !item.destination_at.dir->facts().default_acl ||
                       (item.source_stat.st_mode & S_IRWXU) != S_IRWXU))
    mode = item.source_stat.st_mode & 0777 & ~umask;
  // (Made in a directory with a default ACL, the new one has what mkdir(2)
  // gave it from that ACL and the source's mode, and cp leaves it so: a
  // chmod would put the umask's idea in its place. Unless the owner's bits
  // had to be added for the copy, or ownership is kept, where cp too
  // chmods.)
  // A directory made in a set-group-ID one inherits that bit (and its
  // group): cp keeps it, so that what is made inside keeps the group too.
  struct stat made {};
  if (mode && created && ::fstat(dst_fd, &made) == 0 && (made.st_mode & S_ISGID))
    *mode |= S_ISGID;
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

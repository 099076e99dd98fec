#include "attributes.hpp"

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

} // namespace

mode_t creation_mode(const copy_item& item, bool preserve) {
  if (preserve || item.existing)
    return 0600;
  return item.source_stat.st_mode & 0777; // the kernel takes the umask off
}

std::optional<failure> apply_file_attributes(int fd, const copy_item& item, bool preserve) {
  const struct stat& src = item.source_stat;
  mode_t mode;
  if (preserve) {
    mode = src.st_mode & permission_bits;
    if (::fchown(fd, src.st_uid, src.st_gid) != 0) {
      if (!ownership_not_permitted(errno))
        return path_failure("failed to preserve ownership for", item.destination, errno);
      mode &= ~set_id_bits;
    }
  } else if (item.existing) {
    mode = item.existing->st_mode & permission_bits;
    if (::fchown(fd, item.existing->st_uid, item.existing->st_gid) != 0)
      mode &= ~set_id_bits; // best effort, as for a file we could not chown
  } else {
    return std::nullopt; // created with its final mode
  }
  if (::fchmod(fd, mode) != 0)
    return path_failure("setting permissions for", item.destination, errno);
  if (preserve) {
    const struct timespec times[2] = {src.st_atim, src.st_mtim};
    if (::futimens(fd, times) != 0)
      return path_failure("preserving times for", item.destination, errno);
  }
  return std::nullopt;
}

std::optional<failure> apply_directory_attributes(const copy_item& item, bool created,
                                                  bool preserve, mode_t umask) {
  const struct stat& src = item.source_stat;
  const char* path = item.destination.c_str();
  if (preserve) {
    mode_t mode = src.st_mode & permission_bits;
    if (::chown(path, src.st_uid, src.st_gid) != 0) {
      if (!ownership_not_permitted(errno))
        return path_failure("failed to preserve ownership for", item.destination, errno);
      mode &= ~set_id_bits;
    }
    if (::chmod(path, mode) != 0)
      return path_failure("setting permissions for", item.destination, errno);
    const struct timespec times[2] = {src.st_atim, src.st_mtim};
    if (::utimensat(AT_FDCWD, path, times, 0) != 0)
      return path_failure("preserving times for", item.destination, errno);
  } else if (created) {
    if (::chmod(path, src.st_mode & 0777 & ~umask) != 0)
      return path_failure("setting permissions for", item.destination, errno);
  }
  return std::nullopt;
}

std::optional<failure> apply_other_attributes(const std::filesystem::path& path,
                                              const copy_item& item, bool preserve, mode_t umask) {
  const struct stat& src = item.source_stat;
  bool link = item.kind == item_kind::symlink;
  if (!preserve) {
    if (!link && ::chmod(path.c_str(), src.st_mode & 0777 & ~umask) != 0)
      return path_failure("setting permissions for", item.destination, errno);
    return std::nullopt;
  }
  mode_t mode = src.st_mode & permission_bits;
  if (::lchown(path.c_str(), src.st_uid, src.st_gid) != 0) {
    if (!ownership_not_permitted(errno))
      return path_failure("failed to preserve ownership for", item.destination, errno);
    mode &= ~set_id_bits;
  }
  if (!link && ::chmod(path.c_str(), mode) != 0)
    return path_failure("setting permissions for", item.destination, errno);
  const struct timespec times[2] = {src.st_atim, src.st_mtim};
  if (::utimensat(AT_FDCWD, path.c_str(), times, link ? AT_SYMLINK_NOFOLLOW : 0) != 0)
    return path_failure("preserving times for", item.destination, errno);
  return std::nullopt;
}

} // namespace uring_cp

// xattrs: extended attributes and ACLs of what a run creates, copied between
// open descriptors (no path is looked up twice), by cp's rules:
//  - --preserve=xattr (and -a): every xattr the source has except the ACLs
//    and the names cp's /etc/xattr.conf skips (security.evm, trusted.SGI_*,
//    xfsroot.*, user.Beagle.*, afs.*);
//  - --preserve=context: security.selinux;
//  - ACLs (system.posix_acl_access, and _default on directories) follow the
//    mode (-p, -a, --preserve=mode), as cp copies them with the permissions.
// Failures are reported as cp reports them and never stop the copy from
// being put in place (cp leaves the file too).
#pragma once

#include "console.hpp"
#include "options.hpp"

#include <filesystem>
#include <optional>

namespace uring_cp {

/// A file whose xattrs are read or written: an ordinary descriptor, or an
/// O_PATH one (symlinks and special files cannot be opened for I/O), which
/// is then reached through /proc/self/fd.
struct xattr_handle {
  int fd = -1;
  bool o_path = false;
};

/// Copies the xattrs keep asks for (see above) from src to dst. Failures to
/// set one: with keep.xattr_required (--preserve=xattr named), errors
/// (ENOTSUP as cp words it: "setting attributes for 'DST': Operation not
/// supported"); else, with -a (keep.quiet_xattr), nothing; else notices for
/// all but ENOTSUP. Returns whether the source's xattr names include an ACL
/// (listxattr(2) lists them), or nothing when its names were not read.
std::optional<bool> copy_xattrs(xattr_handle src, xattr_handle dst,
                                const std::filesystem::path& destination, const preserve_set& keep,
                                console& out);

/// What is known before copy_acls, to spare it system calls: whether the
/// source may have an ACL (false when its listed xattr names have none) and
/// whether dst may (false for a new file in a directory without a default
/// ACL, which is all that would give it one).
struct acl_hints {
  bool source_may_have = true;
  bool destination_may_have = true;
};

/// With keep.mode: gives dst the ACLs of src (access ACL; default ACL too for
/// directories), and removes an ACL dst inherited when src has none. A
/// failure is an error "preserving permissions for 'DST': ...", as in cp.
void copy_acls(xattr_handle src, xattr_handle dst, bool directory,
               const std::filesystem::path& destination, const preserve_set& keep, console& out,
               acl_hints hints = {});

} // namespace uring_cp

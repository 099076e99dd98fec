// Mode, ownership, timestamps, ACLs and xattrs of what a run creates, by
// cp's rules (options::keep says which are preserved):
//  - mode kept: the source's mode (set-id bits are dropped if the owner
//    could not be kept) and its ACLs;
//  - ownership kept: the source's owner and group, when permitted;
//  - timestamps kept: its access and modification times;
//  - xattr / context kept: its extended attributes (xattrs.hpp);
//  - mode not kept, replacing an existing file: that file's mode and, when
//    permitted, owner (cp writes into the existing file and so keeps them);
//  - mode not kept, a new file or directory: the source's permission bits
//    less the umask.
// Failures to set an ACL or an xattr are reported (as cp does) without
// keeping the copy from being put in place; the others are failures of the
// item.
#pragma once

#include "console.hpp"
#include "copy_plan.hpp"
#include "failure.hpp"

#include <sys/types.h>

#include <optional>

namespace uring_cp {

/// The mode to create a file's temporary with: its final mode when open(2)
/// and the umask give it and nothing later changes it (a new file in a
/// directory without a default ACL, owned as it should be: no chmod or
/// chown later), else 0600 until apply_file_attributes sets it.
mode_t creation_mode(const copy_item& item, const preserve_set& keep, mode_t umask);

/// Applies the rules to the open temporary dst_fd of a regular file created
/// with creation_mode(); src_fd is its open source.
std::optional<failure> apply_file_attributes(int src_fd, int dst_fd, const copy_item& item,
                                             const preserve_set& keep, mode_t umask, console& out);

/// Applies them to a directory, through O_PATH descriptors of it and of its
/// source (dir_node), once everything inside it is done (created says whether this run created
/// it; an existing one keeps its mode unless the mode is preserved).
std::optional<failure> apply_directory_attributes(int src_fd, int dst_fd, const copy_item& item,
                                                  bool created, const preserve_set& keep,
                                                  mode_t umask, console& out);

/// The same for a symlink or special file: src_fd and dst_fd are O_PATH
/// descriptors of the source and of the temporary (before it is renamed
/// into place).
std::optional<failure> apply_other_attributes(int src_fd, int dst_fd, const copy_item& item,
                                              const preserve_set& keep, mode_t umask, console& out);

} // namespace uring_cp

// Mode, ownership and timestamps of what a run creates, by cp's rules:
//  - with -p: the source's mode, owner and group (when permitted; set-id bits
//    are dropped if the owner could not be kept) and its access and
//    modification times;
//  - without -p, replacing an existing file: that file's mode and, when
//    permitted, owner (cp writes into the existing file and so keeps them);
//  - without -p, a new file or directory: the source's permission bits less
//    the umask.
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"

#include <sys/types.h>

#include <optional>

namespace uring_cp {

/// The mode to create a file's temporary with: its final mode when open(2)
/// and the umask give it (a new file without -p: no chmod needed later),
/// else 0600 until apply_file_attributes sets it.
mode_t creation_mode(const copy_item& item, bool preserve);

/// Applies the rules to the open temporary of a regular file created with
/// creation_mode().
std::optional<failure> apply_file_attributes(int fd, const copy_item& item, bool preserve);

/// Applies them to a directory once everything inside it is done (created
/// says whether this run created it; an existing one is left alone without -p).
std::optional<failure> apply_directory_attributes(const copy_item& item, bool created,
                                                  bool preserve, mode_t umask);

/// With -p, owner and times of a symlink or special file at path (the
/// temporary name, before it is renamed into place).
std::optional<failure> apply_other_attributes(const std::filesystem::path& path,
                                              const copy_item& item, bool preserve, mode_t umask);

} // namespace uring_cp

#include "copy_method.hpp"

namespace uring_cp {

std::string_view to_string(copy_method method) noexcept {
  switch (method) {
  case copy_method::automatic:
    return "auto";
  case copy_method::fixed:
    return "fixed";
  case copy_method::plain:
    return "plain";
  case copy_method::posix:
    return "posix";
  case copy_method::kernel:
    return "kernel";
  }
  return "?";
}

method_choice choose_method(copy_method requested, bool direct, bool crosses_filesystems,
                            reflink_mode reflink, sparse_mode sparse) {
  if (requested != copy_method::automatic)
    return {requested, {}};
  if (reflink == reflink_mode::always)
    return {copy_method::kernel, "--reflink=always: only the kernel method clones"};
  if (sparse == sparse_mode::always)
    return {copy_method::posix, "--sparse=always: zero blocks are found in memory"};
  if (direct)
    return {copy_method::fixed,
            "--direct: O_DIRECT transfers go straight between the device and the pool, where "
            "registered buffers save pinning the pages on every I/O"};
  if (reflink == reflink_mode::never)
    return {copy_method::posix, "--reflink=never: no clone, and no copy_file_range (which may "
                                "clone)"};
  if (sparse == sparse_mode::never)
    return {copy_method::posix, "--sparse=never: holes written as zeros, which a clone or "
                                "copy_file_range may not do"};
  if (!crosses_filesystems)
    return {copy_method::kernel, "buffered copy within one filesystem: reflink or "
                                 "copy_file_range keeps the data inside the kernel"};
  return {copy_method::posix,
          "buffered copy across filesystems: copy_file_range refuses it (EXDEV) and buffered "
          "io_uring writes run on io-wq threads, costing more CPU than a pread/pwrite loop"};
}

} // namespace uring_cp

// How an io_request becomes an SQE: written once, for the library's private
// ring (src/ring_backend.cpp) and for Asio's ring (asio_ring_backend.hpp).
#pragma once

#include <asio_uring_fixed/detail/operation.hpp>

#include <liburing.h>
#include <sys/stat.h>

namespace asio_uring_fixed::detail {

/// READ_FIXED / WRITE_FIXED when slot >= 0 (the registered-buffer slot in
/// the ring's table), else plain READ / WRITE; on the registered file
/// r.file_slot (IOSQE_FIXED_FILE) when it is set, else on r.fd.
/// The metadata kinds: their IORING_OP_* (Linux 5.6 to 5.19; an older
/// kernel completes the request with -EINVAL).
inline void prepare_metadata(::io_uring_sqe* sqe, const io_request& r, int fd) noexcept {
  const metadata_args& m = *r.metadata;
  switch (r.kind) {
  case io_request::openat:
    ::io_uring_prep_openat(sqe, fd, m.path, m.flags, m.mode);
    break;
  case io_request::statx:
    ::io_uring_prep_statx(sqe, fd, m.path, m.flags, m.mode, static_cast<struct ::statx*>(r.data));
    break;
  case io_request::close:
    ::io_uring_prep_close(sqe, fd);
    break;
  case io_request::fsync:
    ::io_uring_prep_fsync(sqe, fd,
                          (m.flags & metadata_args::datasync) ? IORING_FSYNC_DATASYNC : 0u);
    break;
  case io_request::fallocate:
    ::io_uring_prep_fallocate(sqe, fd, static_cast<int>(m.mode), static_cast<off_t>(r.offset),
                              static_cast<off_t>(m.length));
    break;
  case io_request::renameat:
    ::io_uring_prep_renameat(sqe, fd, m.path, m.dirfd2, m.path2, static_cast<unsigned>(m.flags));
    break;
  case io_request::unlinkat:
    ::io_uring_prep_unlinkat(sqe, fd, m.path, m.flags);
    break;
  case io_request::mkdirat:
    ::io_uring_prep_mkdirat(sqe, fd, m.path, static_cast<mode_t>(m.mode));
    break;
  case io_request::symlinkat:
    ::io_uring_prep_symlinkat(sqe, m.path, fd, m.path2);
    break;
  case io_request::linkat:
    ::io_uring_prep_linkat(sqe, fd, m.path, m.dirfd2, m.path2, m.flags);
    break;
  case io_request::fsetxattr:
    ::io_uring_prep_fsetxattr(sqe, fd, m.path, static_cast<const char*>(r.data), m.flags, r.length);
    break;
  case io_request::fgetxattr:
    ::io_uring_prep_fgetxattr(sqe, fd, m.path, static_cast<char*>(r.data), r.length);
    break;
  default:
    ::io_uring_prep_nop(sqe);
    break;
  }
}

inline void prepare_request(::io_uring_sqe* sqe, const io_request& r, int slot) noexcept {
  int fd = r.file_slot >= 0 ? r.file_slot : r.fd;
  if (!r.is_transfer()) {
    prepare_metadata(sqe, r, fd);
  } else if (r.kind == io_request::read) {
    if (slot >= 0)
      ::io_uring_prep_read_fixed(sqe, fd, r.data, r.length, r.offset, slot);
    else
      ::io_uring_prep_read(sqe, fd, r.data, r.length, r.offset);
  } else {
    if (slot >= 0)
      ::io_uring_prep_write_fixed(sqe, fd, r.data, r.length, r.offset, slot);
    else
      ::io_uring_prep_write(sqe, fd, r.data, r.length, r.offset);
  }
  if (r.file_slot >= 0)
    sqe->flags |= IOSQE_FIXED_FILE;
}

/// The rule of a linked pair (IOSQE_IO_LINK), for backends that emulate it:
/// the second request runs only when the first transferred fully; else it
/// completes with -ECANCELED without running.
inline bool link_continues(const operation& op, int first_result) noexcept {
  return first_result >= 0 && static_cast<unsigned>(first_result) == op.requests_[0].length;
}

} // namespace asio_uring_fixed::detail

#include "metadata_calls.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

namespace asio_uring_fixed::detail {
namespace {

int result_of(long n) noexcept {
  return n < 0 ? -errno : static_cast<int>(n);
}

} // namespace

int perform_metadata(const io_request& r) noexcept {
  const metadata_args& m = *r.metadata;
  switch (r.kind) {
  case io_request::openat:
    // open(2) is not restarted on EINTR by the caller (a FIFO's open may
    // block): report it, as the ring does.
    return result_of(::openat(r.fd, m.path, m.flags, m.mode));
  case io_request::statx:
    return result_of(::statx(r.fd, m.path, m.flags, m.mode, static_cast<struct ::statx*>(r.data)));
  case io_request::close:
    return result_of(::close(r.fd));
  case io_request::fsync:
    return result_of((m.flags & metadata_args::datasync) ? ::fdatasync(r.fd) : ::fsync(r.fd));
  case io_request::fallocate:
    return result_of(::fallocate(r.fd, static_cast<int>(m.mode), static_cast<off_t>(r.offset),
                                 static_cast<off_t>(m.length)));
  case io_request::renameat:
    return result_of(::renameat2(r.fd, m.path, m.dirfd2, m.path2, static_cast<unsigned>(m.flags)));
  case io_request::unlinkat:
    return result_of(::unlinkat(r.fd, m.path, m.flags));
  case io_request::mkdirat:
    return result_of(::mkdirat(r.fd, m.path, static_cast<mode_t>(m.mode)));
  case io_request::symlinkat:
    return result_of(::symlinkat(m.path, r.fd, m.path2));
  case io_request::linkat:
    return result_of(::linkat(r.fd, m.path, m.dirfd2, m.path2, m.flags));
  case io_request::fsetxattr:
    return result_of(::fsetxattr(r.fd, m.path, r.data, r.length, m.flags));
  case io_request::fgetxattr:
    return result_of(::fgetxattr(r.fd, m.path, r.data, r.length));
  default:
    return -EINVAL;
  }
}

} // namespace asio_uring_fixed::detail

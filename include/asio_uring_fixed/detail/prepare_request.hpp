// How an io_request becomes an SQE: written once, for the library's private
// ring (src/ring_backend.cpp) and for Asio's ring (asio_ring_backend.hpp).
#pragma once

#include <asio_uring_fixed/detail/operation.hpp>

#include <liburing.h>

namespace asio_uring_fixed::detail {

/// READ_FIXED / WRITE_FIXED when slot >= 0 (the registered-buffer slot in
/// the ring's table), else plain READ / WRITE; on the registered file
/// r.file_slot (IOSQE_FIXED_FILE) when it is set, else on r.fd.
inline void prepare_request(::io_uring_sqe* sqe, const io_request& r, int slot) noexcept {
  int fd = r.file_slot >= 0 ? r.file_slot : r.fd;
  if (r.kind == io_request::read) {
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

// What an operation holds of its file: the descriptor, and for a
// registered_file the shared registration that keeps the descriptor open and
// its registered-file slot reserved until the operation is gone. Asio-free.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/file.hpp>

#include <memory>
#include <utility>

namespace asio_uring_fixed::detail {

/// Shared by a registered_file and every operation started on it. The last
/// owner's destructor (src/registered_file.cpp) releases the slot in the
/// engine, if it still exists, then closes the descriptor: no request in
/// flight can then name the slot, so no other file can be reached through it.
struct file_registration {
  file f;
  int slot = -1; // -1: not registered (the plain descriptor is used)
  error_code error;
  std::shared_ptr<file_table_anchor> anchor;

  file_registration() = default;
  file_registration(const file_registration&) = delete;
  file_registration& operator=(const file_registration&) = delete;
  ~file_registration();
};

/// Registers f in e's table; on failure the registration holds f with
/// slot -1 and the reason in error. Throws only std::bad_alloc.
std::shared_ptr<file_registration> register_file(engine& e, file&& f);

/// The file of an operation.
struct file_ref {
  int fd = -1;
  std::shared_ptr<file_registration> registration;

  /// The slot to use on e's ring, or -1 for the plain descriptor (not
  /// registered, or registered with another io_context's ring).
  int slot_for(const engine& e) const noexcept {
    if (!registration || registration->slot < 0 || registration->anchor != e.files())
      return -1;
    return registration->slot;
  }
};

} // namespace asio_uring_fixed::detail

// registered_file: a file whose descriptor sits in a slot of one io_context's
// registered-file table (a direct descriptor), so that the operations of this
// library on that context name it with IOSQE_FIXED_FILE instead of looking
// the descriptor up on every request.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/file_ref.hpp>
#include <asio_uring_fixed/file.hpp>
#include <asio_uring_fixed/file_handle.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace asio_uring_fixed {

/// An open file registered with one io_context's ring. Move-only.
///
/// Use it wherever a file is accepted (it has native_handle()):
/// async_read_fixed_at, async_write_fixed_at and their _all forms on the
/// io_context it was registered with submit their requests on the slot
/// (IOSQE_FIXED_FILE). Everything else uses the plain descriptor with the
/// same results: operations on another io_context or, with
/// service_options::rings > 1, on another of its rings than the first (the
/// file is registered in the first ring only), copy_fixed, and every
/// operation when the file could not be registered (is_registered() false):
/// the portable backend, Asio-ring mode, service_options::registered_file_slots
/// 0 or a table the kernel refused (uring_service::file_table_error()), a
/// full table (errc::no_free_slots), a shut-down service
/// (errc::service_shut_down), or a single-issuer ring registered from a
/// thread other than its run() thread after it first ran (EEXIST).
///
/// Lifetime: the descriptor and the slot are owned jointly by this object
/// and by every read/write operation started on it (async_read_fixed_at,
/// async_write_fixed_at and their _all forms; copy_fixed only borrows the
/// descriptor, so keep the object open until a copy step completes).
/// close() or destruction gives up
/// this object's share; the slot is emptied and the descriptor closed when
/// the last operation using them is destroyed (after its completion, or at
/// shutdown). So closing with operations in flight is safe: they finish on
/// the file they started on, and the slot is handed to another file only
/// after no request can name it any more (the kernel would otherwise read
/// the other file). An object may outlive its io_context: its slot then goes
/// with the ring.
///
/// Threads: a registered_file object is not thread-safe (as any Asio I/O
/// object), but the shares are: operations may finish and release it on any
/// thread. Registration takes the service's lock; on a single-issuer ring,
/// releasing a slot from another thread leaves it to the run() thread to
/// empty.
class registered_file {
 public:
  /// No file.
  registered_file() noexcept = default;

  /// Takes f and registers its descriptor in the table of context's
  /// uring_service (creating the service with default options if need be).
  /// Never fails for want of a slot: the file is then used unregistered
  /// and registration_error() says why. Throws std::bad_alloc, and what
  /// asio::use_service throws.
  registered_file(asio::io_context& context, file f)
      : registration_(detail::register_file(asio::use_service<uring_service>(context).engine(),
                                            std::move(f))) {}

  registered_file(registered_file&&) noexcept = default;
  registered_file& operator=(registered_file&&) noexcept = default;
  registered_file(const registered_file&) = delete;
  registered_file& operator=(const registered_file&) = delete;
  ~registered_file() = default;

  bool is_open() const noexcept { return registration_ && registration_->f.is_open(); }

  /// The plain descriptor (-1 when none), valid while this object holds it.
  int native_handle() const noexcept {
    return registration_ ? registration_->f.native_handle() : -1;
  }

  /// The file, for its synchronous members (size(), resize(), ...). Do not
  /// close or release() it: the slot and the operations rely on it.
  /// Precondition: is_open().
  file& get() noexcept { return registration_->f; }
  const file& get() const noexcept { return registration_->f; }

  /// True when the descriptor is in a slot of the table.
  bool is_registered() const noexcept { return registration_ && registration_->slot >= 0; }

  /// The slot, or -1 when not registered.
  int slot() const noexcept { return registration_ ? registration_->slot : -1; }

  /// Why the file is not registered (empty when it is).
  error_code registration_error() const noexcept {
    return registration_ ? registration_->error : error_code();
  }

  /// Gives up this object's share (see Lifetime above); is_open() is then
  /// false. Operations in flight are neither cancelled nor disturbed.
  void close() noexcept { registration_.reset(); }

  /// Internal: the shared registration, held by operations.
  const std::shared_ptr<detail::file_registration>& registration() const noexcept {
    return registration_;
  }

 private:
  std::shared_ptr<detail::file_registration> registration_;
};

namespace detail {

/// The file of an operation: a registered_file's share, or a plain descriptor.
template <typename File>
file_ref make_file_ref(File& f) {
  if constexpr (std::is_same_v<std::remove_cvref_t<File>, registered_file>)
    return {f.native_handle(), f.registration()};
  else
    return {native_fd(f), nullptr};
}

} // namespace detail
} // namespace asio_uring_fixed

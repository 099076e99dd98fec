// Errors raised by the library itself. Kernel errors are reported as
// `error_code(errno, system_category())`; the codes below belong to the
// library's own category and say what went wrong in terms of its own rules.
#pragma once

#include <asio_uring_fixed/config.hpp>

#include <type_traits>

namespace asio_uring_fixed {

/// Library errors. Compare with `ec == asio_uring_fixed::errc::...`.
enum class errc {
  /// The lease passed to an operation holds no buffer (it was moved from or
  /// released).
  empty_buffer = 1,
  /// The pool's buffers could not all fit in the free slots of the ring's
  /// registered-buffer table (see service_options::registered_buffer_slots).
  no_free_slots,
  /// A buffer size or count is out of the kernel's range (size 1 B .. 1 GiB,
  /// count 1 .. 16384), or the total size overflows.
  invalid_pool_size,
  /// Registration was required but the ring has no sparse buffer table
  /// (kernel older than 5.19, or service_options::registered_buffer_slots 0).
  registration_unsupported,
  /// A write made no progress (the kernel reported 0 bytes written for a
  /// non-empty request); the composed operation stops instead of spinning.
  no_progress,
  /// The service is shut down (its io_context is being destroyed).
  service_shut_down,
  /// The portable backend was requested (service_options::backend or
  /// ASIO_URING_FIXED_BACKEND=portable): reported by io_uring_error().
  portable_requested,
  /// The kernel lacks what the io_uring backend needs (IORING_ASYNC_CANCEL_ANY,
  /// kernel 5.19, without which shutdown could wait for ever): reported by
  /// io_uring_error(); the portable backend is used instead.
  unsupported_kernel,
  /// An option is out of range or not supported (service_options checked
  /// when the service is created, copy_options when a copy step starts);
  /// the exception's what() names the option, the value and the limit.
  invalid_option,
  /// A file offset, or offset + length, beyond INT64_MAX: the kernel would
  /// read -1 as "the current file position". Refused on every backend.
  invalid_offset,
  /// The lease's pool does not serve the io_context the completion handler
  /// is bound to (it belongs to another one, or a shared pool does not list
  /// it): the operation would wait for a context the program may never run.
  wrong_context,
  /// The pool was not created (its constructor reported an error): see
  /// fixed_buffer_pool::registration_message() for why.
  no_pool,
};

/// The category of errc values; its name() is "asio_uring_fixed".
const error_category& category() noexcept;

inline error_code make_error_code(errc e) noexcept {
  return error_code(static_cast<int>(e), category());
}

} // namespace asio_uring_fixed

namespace ASIO_URING_FIXED_ERROR_NAMESPACE {
template <>
struct is_error_code_enum<asio_uring_fixed::errc> : std::true_type {};
} // namespace ASIO_URING_FIXED_ERROR_NAMESPACE

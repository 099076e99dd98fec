// Options of the per-io_context service and the backend it runs on.
#pragma once

#include <optional>
#include <string_view>

namespace asio_uring_fixed {

/// The machinery that carries out operations.
enum class backend_kind {
  /// An io_uring ring owned by the service: READ_FIXED / WRITE_FIXED.
  io_uring,
  /// pread/pwrite on a small thread pool, used where io_uring cannot be.
  /// Same API and completion semantics; buffers are never registered.
  portable,
};

/// Which backend the service should use.
enum class backend_preference {
  /// io_uring when the kernel allows it, else the portable backend. The
  /// io_uring backend needs Linux 5.19 (IORING_ASYNC_CANCEL_ANY, probed at
  /// setup; io_uring_error() is errc::unsupported_kernel without it).
  /// ASIO_URING_FIXED_BACKEND=portable in the environment forces the
  /// portable backend whatever the options say (meant for testing).
  automatic,
  /// io_uring or fail: the service constructor throws if the ring cannot be
  /// set up.
  io_uring,
  /// Always the portable backend.
  portable,
};

/// Printable name of a backend ("io_uring" or "portable").
std::string_view to_string(backend_kind kind) noexcept;

/// Options of uring_service. Pass them with uring_service::install() before
/// anything else uses the service on that io_context.
///
/// They are checked when the service is created: a value out of range
/// throws system_error with errc::invalid_option, and what() names the
/// option, the value and the limit.
struct service_options {
  backend_preference backend = backend_preference::automatic;

  /// Submission queue entries (the completion queue gets twice as many),
  /// 1..32768. This bounds one batch, not the number of operations in flight.
  unsigned ring_entries = 256;

  /// IORING_SETUP_* flags; empty means the library's defaults
  /// (IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP). Flags the kernel refuses
  /// with EINVAL are dropped one at a time, newest first, and setup retried.
  /// Do not pass IORING_SETUP_SINGLE_ISSUER / DEFER_TASKRUN unless every
  /// operation is started from one thread. IORING_SETUP_SQPOLL and
  /// IORING_SETUP_IOPOLL are refused (errc::invalid_option): with SQPOLL the
  /// kernel reads a cancellation after the library let go of its target,
  /// whose address a new operation may then have; IOPOLL completions would
  /// never wake the io_context.
  std::optional<unsigned> setup_flags;

  /// Size of the ring's sparse registered-buffer table; each pool takes one
  /// slot per buffer from it. 0..16384 (the kernel's limit); 0 registers
  /// nothing (pools are unregistered, or fail with registration_mode::required).
  unsigned registered_buffer_slots = 4096;

  /// io_uring rings of the service, 1..64. One ring serialises its
  /// submissions in the kernel (where page-cached reads are copied), so an
  /// io_context run() on several threads gains from one ring per thread:
  /// an operation goes to the ring whose completions the starting thread is
  /// handling, else to a ring chosen once per thread, and every pool of the
  /// context is registered in the first ring and cloned into the others
  /// (see fixed_buffer_pool's shared constructor). 1 (the default) suits a
  /// context run on one thread. The portable backend and Asio-ring mode
  /// always use one.
  unsigned rings = 1;

  /// Worker threads of the portable backend (files), 1..1024. Pipes and
  /// sockets wait on one more thread, started the first time one has to wait.
  unsigned portable_threads = 4;
};

} // namespace asio_uring_fixed

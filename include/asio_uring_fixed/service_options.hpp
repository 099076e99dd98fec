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
  /// with EINVAL are dropped one at a time, newest first, and setup retried
  /// (uring_service::setup_flags() tells what was applied).
  /// IORING_SETUP_SINGLE_ISSUER here has the meaning and the rules of
  /// single_issuer below (the library adds IORING_SETUP_R_DISABLED so that
  /// the run() thread becomes the issuer). IORING_SETUP_SQPOLL,
  /// IORING_SETUP_IOPOLL and IORING_SETUP_R_DISABLED are refused
  /// (errc::invalid_option): with SQPOLL the kernel reads a cancellation
  /// after the library let go of its target, whose address a new operation
  /// may then have; IOPOLL completions would never wake the io_context; a
  /// ring left disabled could never submit.
  std::optional<unsigned> setup_flags;

  /// The program promises that the io_context runs on one thread (one
  /// run()/poll() caller at a time, always the same thread) and is
  /// destroyed on that thread or after run() has returned with nothing in
  /// flight. The private ring is then set up with IORING_SETUP_SINGLE_ISSUER
  /// | DEFER_TASKRUN | COOP_TASKRUN | TASKRUN_FLAG added to setup_flags (or
  /// to the defaults); those the kernel refuses are dropped (DEFER_TASKRUN
  /// with SINGLE_ISSUER), see uring_service::setup_flags(). Default false:
  /// the ring can then be driven from any thread.
  ///
  /// What it means, when the kernel accepted SINGLE_ISSUER:
  /// - The ring is created disabled (IORING_SETUP_R_DISABLED) and enabled by
  ///   the first thread that reaps for it, i.e. the thread that runs the
  ///   io_context; the kernel then refuses (EEXIST) every submission,
  ///   registration and, with DEFER_TASKRUN, every wait from other threads.
  /// - Operations may still be started, and cancelled, from any thread:
  ///   started elsewhere, their requests are queued and the io_context is
  ///   woken to submit them from its run() thread (a forwarding hop: start
  ///   operations from the run() thread, e.g. from handlers, to avoid it).
  ///   Operations started before run() wait for it in the same way.
  /// - Registration (fixed_buffer_pool creation and destruction,
  ///   registered_file) works before the first run() and on the run()
  ///   thread; from another thread afterwards the kernel refuses it
  ///   (EEXIST): a pool then falls back as for any registration failure (or
  ///   fails with registration_mode::required), a registered_file uses its
  ///   plain descriptor, and a pool destroyed there leaves its pages pinned
  ///   until its slots are reused or the ring is closed.
  /// - With DEFER_TASKRUN completions are only posted when the run() thread
  ///   enters the kernel, and the ring descriptor does not become readable
  ///   for them (checked on Linux 6.18): the service waits on an eventfd
  ///   registered with the ring instead, and reaping calls
  ///   io_uring_get_events() when the kernel flags pending work.
  /// - Shutdown (io_context destruction) on the run() thread, or on any
  ///   thread when the ring never ran, is as usual. On another thread with
  ///   requests still in the kernel, they can be neither cancelled nor
  ///   reaped from there: the service then abandons them deliberately: their
  ///   operations (handlers, leases, pools, registered files) are leaked,
  ///   never freed, so no memory the kernel may still write is reused, and
  ///   closing the ring makes the kernel cancel them. Destroy the io_context
  ///   on its run() thread to avoid that.
  /// - run() on two threads breaks the promise: operations may then wait
  ///   until the issuer thread runs.
  ///
  /// Ignored in Asio-ring mode (Asio sets up its own ring) and by the
  /// portable backend (accepted, no effect).
  bool single_issuer = false;

  /// Size of the ring's sparse registered-file table (direct descriptors,
  /// IOSQE_FIXED_FILE), 0..65536; 0 sets up none. A registered_file takes
  /// one slot. Setting up the table can fail (e.g. EMFILE when larger than
  /// RLIMIT_NOFILE): registered files then use their plain descriptors
  /// (uring_service::file_table_error() says why). No table in Asio-ring
  /// mode or on the portable backend.
  unsigned registered_file_slots = 64;

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
  /// always use one. A registered_file is registered in the first ring only
  /// (operations on the others use its plain descriptor), and single_issuer
  /// applies to each ring, which then still promises one run() thread.
  unsigned rings = 1;

  /// Worker threads of the portable backend (files), 1..1024. Pipes and
  /// sockets wait on one more thread, started the first time one has to wait.
  unsigned portable_threads = 4;
};

} // namespace asio_uring_fixed

// uring_service: the per-io_context service that owns the io_uring ring (or
// the portable backend) and delivers completions through the io_context.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/asio_ring_backend.hpp>
#include <asio_uring_fixed/detail/engine.hpp>
#include <asio_uring_fixed/service_options.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <atomic>
#include <memory>
#include <vector>

namespace asio_uring_fixed {

/// The service behind every operation of this library on one io_context.
///
/// It owns an io_uring ring (or, where io_uring cannot be used, the portable
/// pread/pwrite backend), watches it with a `posix::stream_descriptor`, reaps
/// results when it becomes readable and runs completion handlers from
/// `io_context::run()`. It works with a stock Boost.Asio or standalone Asio
/// build (epoll) and in programs built with BOOST_ASIO_HAS_IO_URING /
/// ASIO_HAS_IO_URING, with any number of Asio rings per context
/// (reactor.io_uring_ring_count, Asio 1.38.2): the compiled part of the
/// library does not include Asio, so no configuration mismatch can arise.
///
/// Threads: operations may be started from any thread. Operations started
/// from a completion handler are batched into one submission per batch of
/// completions; others are submitted at once. `run()` may be called from
/// several threads; one of them reaps a ring at a time (another thread's
/// call returns at once and the reaping thread takes what is left). With
/// service_options::rings > 1 each ring is reaped on its own, so several
/// run() threads handle completions and submit at once. Handlers run on
/// their associated executors: bind a strand where they share state.
///
/// Work: while any operation is in flight the service keeps one wait pending,
/// so `run()` does not return; when nothing is in flight it keeps none.
///
/// Shutdown (io_context destruction): everything in flight is cancelled
/// (IORING_ASYNC_CANCEL_ANY, issued again every 100 ms while results are
/// outstanding, so a cancellation that was refused or came too early does
/// not leave shutdown waiting), the service waits for every kernel
/// completion, then destroys the pending handlers without calling them (each
/// after its operation's memory is freed), and only then releases buffers
/// and the ring. No memory the kernel may still write is freed before that.
/// Requests that cannot be cancelled (a regular-file read already in the
/// device) are waited for.
///
/// Kernel: the io_uring backend needs Linux 5.19 (cancellation of every
/// request with IORING_ASYNC_CANCEL_ANY, and the sparse buffer table); it
/// is probed when the ring is set up, and older kernels get the portable
/// backend (io_uring_error() is errc::unsupported_kernel).
///
/// Asio-ring mode (Boost flavour only): in a program built with
/// BOOST_ASIO_HAS_IO_URING against a Boost.Asio that carries the
/// upstream-proposal/backports-1.81 patches
/// (ASIO_URING_FIXED_HAS_ASIO_RING is 1), the io_uring backend is Asio's own
/// ring: requests are Asio operations on it and pools take slots of its
/// registered-buffer table, so there is no second ring and no descriptor to
/// watch. `backend()` still says io_uring. service_options::ring_entries and
/// setup_flags do not apply (Asio sets up its ring); registered_buffer_slots
/// slots are reserved in Asio's table when the service is created. A copy
/// step is submitted as the read, then the write from the read's
/// completion, with the same results as the linked pair. At shutdown the
/// requests in Asio's ring are drained and destroyed by Asio's own
/// io_uring service, which this service makes sure is shut down after it.
/// With an io_context concurrency hint of 1, Asio's ring is unlocked:
/// start operations only from the thread that runs the io_context.
class uring_service : public asio::execution_context::service {
 public:
  using key_type = uring_service;
  static inline asio::execution_context::id id;

  /// Creates the service with default options (used by asio::use_service).
  explicit uring_service(asio::io_context& context);

  /// Creates the service with options.
  /// Throws system_error if options.backend is backend_preference::io_uring
  /// and the ring cannot be set up, and with errc::invalid_option (what()
  /// naming the option, value and limit) if an option is out of range.
  uring_service(asio::io_context& context, const service_options& options);

  ~uring_service() override = default;

  /// Installs the service with options on context, before anything used it.
  /// Throws asio::service_already_exists if it was already created.
  static uring_service& install(asio::io_context& context, const service_options& options);

  /// The backend in use, and why io_uring is not (empty when it is).
  backend_kind backend() const noexcept { return lanes_.front()->engine.kind(); }
  error_code io_uring_error() const noexcept { return lanes_.front()->engine.io_uring_error(); }

  asio::io_context& get_io_context() noexcept { return context_; }
  asio::io_context::executor_type get_executor() noexcept { return context_.get_executor(); }

  /// Kernel results still expected (diagnostics and tests).
  std::size_t outstanding() const;

  /// The number of rings (service_options::rings where they apply, else 1).
  std::size_t ring_count() const noexcept { return lanes_.size(); }

  /// The engines, one per ring (internal; used by the library's
  /// operations). engine() is the first; engine_for_this_thread() the one
  /// an operation started on this thread goes to.
  detail::engine& engine() noexcept { return lanes_.front()->engine; }
  detail::engine& engine(std::size_t i) noexcept { return lanes_[i]->engine; }
  detail::engine& engine_for_this_thread() noexcept;

 private:
  // One ring: its engine and the wait on its descriptor.
  struct lane {
    lane(uring_service& s, const service_options& options);
    uring_service& service;
    detail::engine engine;
    asio::posix::stream_descriptor wait;
  };

  void shutdown() override;
  static void arm(void* self);
  static void kick(void* self);
  static void arm_nothing(void* self);
  static void post_run_once(void* self);

  asio::io_context& context_;
  std::vector<std::unique_ptr<lane>> lanes_;
  std::atomic<unsigned> next_lane_{0};
};

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/uring_service.hpp>

// fixed_buffer_pool: N page-aligned buffers of S bytes, registered with the
// ring through a range of its sparse buffer table.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/fixed_buffer.hpp>
#include <asio_uring_fixed/pool_options.hpp>
#include <asio_uring_fixed/uring_service.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>

namespace asio_uring_fixed {

/// A pool of registered buffers handed out as fixed_buffer leases.
///
/// Several pools can live on one io_context at once; each takes slots of the
/// ring's sparse registered-buffer table (a table update, not a whole new
/// registration) and gives them back when its memory is freed. The memory is one anonymous mapping,
/// page aligned, populated up front and excluded from fork() children (MADV_DONTFORK): a child must
/// not touch leases it inherited.
///
/// Registration saves the kernel pinning and mapping the user pages on every
/// I/O. It does not remove the page-cache copy of buffered I/O; the saving
/// shows with O_DIRECT, where the device transfers straight to this memory.
///
/// Lifetime: the pool object must not outlive its io_context (like any Asio
/// I/O object). Destroying it completes pending async_acquire operations with
/// asio::error::operation_aborted; the memory itself lives on until the last
/// lease — including leases owned by operations in flight — is gone.
///
/// Thread safety: all members may be called concurrently.
class fixed_buffer_pool {
 public:
  using executor_type = asio::io_context::executor_type;

  /// Creates count buffers of size bytes each on context's uring_service.
  ///
  /// Throws system_error when the arena cannot be mapped or, with
  /// registration_mode::required, registered. The error code is the
  /// kernel's errno (e.g. ENOMEM when RLIMIT_MEMLOCK is too small) or an
  /// errc value (no_free_slots, invalid_pool_size, registration_unsupported);
  /// what() names the cause and the limit.
  fixed_buffer_pool(asio::io_context& context, std::size_t count, std::size_t size,
                    const pool_options& options = {});

  /// As above, reporting failure through ec (the pool is then empty: size()
  /// is 0, try_acquire() returns empty leases and async_acquire() completes
  /// with errc::no_pool); registration_message() then holds the sentence
  /// the throwing constructor would have put in what().
  fixed_buffer_pool(asio::io_context& context, std::size_t count, std::size_t size,
                    const pool_options& options, error_code& ec);

  /// Creates one pool shared by several io_contexts (a context per thread):
  /// its memory is mapped once and registered once, in the first io_uring
  /// context's ring, and the other rings get the same table slots cloned
  /// from it (IORING_REGISTER_CLONE_BUFFERS, Linux 6.13: no second pinning,
  /// no second RLIMIT_MEMLOCK charge). Where the kernel refuses to clone,
  /// the memory is registered again in that ring (pinned and charged once
  /// more); where that fails too, registration_mode decides: required
  /// throws, if_possible leaves that ring unregistered (plain READ/WRITE).
  /// attachment() tells what each context got. Portable contexts use the
  /// buffers as plain memory. The first context is the pool's home: its
  /// executor is get_executor(), and leases (also empty ones) report it.
  ///
  /// Which context an operation on a lease runs on: the one of the
  /// handler's associated executor (errc::wrong_context when the pool does
  /// not serve it), else of the file's executor when the pool serves it,
  /// else the context whose run() is on the calling thread, else the home.
  /// async_acquire() chooses the same way. Any lease works with any of the
  /// contexts, and a buffer released on one goes to the oldest waiter of
  /// any of them.
  ///
  /// contexts must be distinct and not null (errc::invalid_option); the
  /// other errors are the single-context constructor's. The pool object
  /// must be destroyed before any of its io_contexts; leases may outlive
  /// them all.
  fixed_buffer_pool(std::span<asio::io_context* const> contexts, std::size_t count,
                    std::size_t size, const pool_options& options = {});
  fixed_buffer_pool(std::span<asio::io_context* const> contexts, std::size_t count,
                    std::size_t size, const pool_options& options, error_code& ec);
  fixed_buffer_pool(std::initializer_list<asio::io_context*> contexts, std::size_t count,
                    std::size_t size, const pool_options& options = {});

  fixed_buffer_pool(fixed_buffer_pool&& other) noexcept;
  fixed_buffer_pool& operator=(fixed_buffer_pool&& other) noexcept;
  fixed_buffer_pool(const fixed_buffer_pool&) = delete;
  fixed_buffer_pool& operator=(const fixed_buffer_pool&) = delete;

  /// Completes pending async_acquire operations with operation_aborted.
  ~fixed_buffer_pool();

  executor_type get_executor() const noexcept { return executor_; }

  /// Number of buffers, size of each, buffers free right now.
  std::size_t size() const noexcept;
  std::size_t buffer_size() const noexcept;
  std::size_t available() const;

  /// True when the buffers are registered (READ_FIXED / WRITE_FIXED) in
  /// the home context's ring; attachment() tells for each context.
  bool registered() const noexcept;

  /// The number of io_contexts the pool serves (1 unless shared; 0 when
  /// construction failed), and how its buffers reach context's ring
  /// (pool_attachment::not_attached for a context it does not serve).
  std::size_t context_count() const noexcept;
  pool_attachment attachment(const asio::io_context& context) const;

  /// With registration_mode::if_possible: why registration failed (the
  /// errno or errc value, empty if it did not fail), and a sentence naming
  /// the cause and the limit, as the throwing constructor would report.
  /// After the error_code constructor failed, registration_message() says
  /// why the pool was not created.
  error_code registration_error() const noexcept;
  std::string registration_message() const;

  /// A free buffer, or an empty lease when none is free. Never waits. An
  /// empty lease from here still knows the pool's io_context: an operation
  /// given it completes there with errc::empty_buffer.
  fixed_buffer try_acquire();

  /// Waits for a free buffer.
  ///
  /// Completion signature: `void(error_code, fixed_buffer)`.
  /// Waiters are served first come, first served; a buffer returned by any
  /// lease goes straight to the oldest waiter. Completes on the handler's
  /// associated executor (default: the pool's io_context), never inside
  /// this call, even when a buffer is free.
  ///
  /// Errors: asio::error::operation_aborted when cancelled, when the pool
  /// object is destroyed first, or when the waiter's io_context shuts
  /// down; errc::no_pool if the pool failed to construct;
  /// errc::wrong_context if the handler is bound to an io_context the pool
  /// does not serve. A shared pool's waiter waits on the context chosen as
  /// for operations (see the shared constructor).
  ///
  /// Cancellation: terminal, partial and total cancellation all remove the
  /// waiter if it has not been granted a buffer yet (it then completes with
  /// operation_aborted); once granted, the operation completes normally.
  template <
      typename CompletionToken = asio::default_completion_token_t<asio::io_context::executor_type>>
  auto async_acquire(CompletionToken&& token =
                         asio::default_completion_token_t<asio::io_context::executor_type>());

 private:
  detail::pool_state* state_ = nullptr;
  executor_type executor_;
  std::string failure_message_; // why the error_code constructor failed
};

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/fixed_buffer_pool.hpp>

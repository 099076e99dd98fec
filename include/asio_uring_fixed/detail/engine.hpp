// The engine behind uring_service: submission, batching, reaping, cancellation
// and shutdown for one io_context. Compiled (src/engine.cpp) and Asio-free, so
// programs built with or without BOOST_ASIO_HAS_IO_URING can share it.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/detail/operation.hpp>
#include <asio_uring_fixed/service_options.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace asio_uring_fixed {
class uring_service;
} // namespace asio_uring_fixed

namespace asio_uring_fixed::detail {

class backend;
class buffer_table;

/// One result to hand to an operation.
struct completion {
  operation* op;
  unsigned index;
  int result;
};

class engine;

/// Makes the engine's io_uring backend when the options ask for one; null
/// with ec set when it cannot. Without one the engine makes the library's
/// private ring; in Asio-ring mode uring_service passes one that makes a
/// backend on Asio's own ring (detail/asio_ring_backend.hpp).
struct ring_factory {
  void* context = nullptr;
  std::unique_ptr<backend> (*make)(void* context, engine& owner, const service_options& options,
                                   error_code& ec) = nullptr;
};

class engine {
 public:
  /// How the engine asks its owner (the Asio service) to wait for the
  /// backend's file descriptor to become readable and then call run_once().
  /// Both are called with the engine's lock held; they must not block.
  struct wait_hooks {
    void* context = nullptr;
    void (*arm)(void* context) = nullptr;  // start one asynchronous wait
    void (*kick)(void* context) = nullptr; // make the pending wait complete now
  };

  explicit engine(const service_options& options, ring_factory factory = {});
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  void set_wait_hooks(const wait_hooks& hooks) noexcept { hooks_ = hooks; }

  /// The service that owns this engine (set once by it).
  void attach_service(uring_service* service) noexcept { service_ = service; }
  uring_service& service() const noexcept { return *service_; }

  backend_kind kind() const noexcept { return kind_; }

  /// Why io_uring is not in use (empty when it is).
  error_code io_uring_error() const noexcept { return io_uring_error_; }

  /// A descriptor that becomes readable when results are ready.
  int wait_fd() const noexcept;

  /// Submits op's requests (thread-safe). Inside run_once() on the reaping
  /// thread the submission is batched and flushed after the batch.
  void start(operation* op);

  /// Counts op as outstanding without submitting anything; it completes with
  /// one result passed to post() later (used by acquire waiters). Returns
  /// false when the engine is shut down: op has been destroyed.
  bool start_external(operation* op);

  /// Completes an operation started with start_external() (thread-safe).
  void post(operation* op, int result);

  /// Makes op cancellable by key: returns the key (never 0), also stored in
  /// op->cancel_key_. Cancellation handlers keep the key, not the pointer, so
  /// a cancellation that races the operation's completion finds nothing
  /// instead of touching freed memory (as Asio's reactor cancels by key).
  /// May throw std::bad_alloc (the registry grows; steady state allocates
  /// nothing).
  std::uint64_t enable_cancellation(operation* op);

  /// Forgets op's key; called before op's memory is freed (thread-safe).
  void disable_cancellation(operation* op) noexcept;

  /// Best-effort cancellation of the operation registered under key
  /// (thread-safe; nothing happens when it has finished). The operation
  /// completes as usual: its outstanding requests are cancelled in the
  /// backend, and a composed operation's next request is not submitted.
  void cancel(std::uint64_t key);

  /// Reaps results and completes operations; called when the wait fires
  /// (or, on Asio's ring, when posted). One thread reaps at a time: a call
  /// made while another thread reaps returns at once, and the reaping
  /// thread arms again for what is left when it finishes.
  void run_once();

  /// Completes one request of op with result (thread-safe, no lock held by
  /// the caller): for backends whose host reaps the results itself
  /// (backend::host_delivers()). With abandoned, or once the engine is shut
  /// down, the operation is destroyed without calling its handler.
  void deliver(operation* op, unsigned index, int result, bool abandoned);

  /// True when the backend's results come through deliver().
  bool host_delivers() const noexcept { return host_delivers_; }

  /// Cancels everything, waits for every outstanding result and destroys the
  /// operations without calling their handlers. Operations started later are
  /// destroyed at once.
  void shutdown();

  bool is_shut_down() const noexcept { return shut_down_.load(std::memory_order_acquire); }

  /// The engine whose run_once() is on this thread's stack, or null.
  static engine* current() noexcept;

  const std::shared_ptr<buffer_table>& table() const noexcept { return table_; }

  /// Number of results still expected (for tests and diagnostics).
  std::size_t outstanding() const;

 private:
  std::size_t take_locked(completion* out, std::size_t max);
  void flush_locked();
  void arm_locked();
  bool ready_locked() const;
  void destroy_now(operation* op);
  void complete_cancelled_locked(operation* op);

  // The cancellation registry: slot i holds an operation and a generation;
  // a key is (generation << 32) | (i + 1). Freed slots form a list.
  struct cancel_entry {
    operation* op = nullptr;
    std::uint32_t generation = 1;
    std::uint32_t next_free = 0; // index + 1 of the next free entry, 0 = none
  };
  std::vector<cancel_entry> cancel_entries_;
  std::uint32_t cancel_free_ = 0; // index + 1 of the first free entry

  mutable std::mutex mutex_;
  std::unique_ptr<backend> backend_;
  std::shared_ptr<buffer_table> table_;
  backend_kind kind_;
  bool host_delivers_ = false;
  error_code io_uring_error_;
  wait_hooks hooks_;
  uring_service* service_ = nullptr;
  op_queue backlog_; // started but not yet accepted by the backend
  op_queue ready_;   // results produced without the backend (results_ holds them)
  // Results taken from the backend but not delivered because a handler threw:
  // delivered first by the next run_once().
  static constexpr std::size_t batch_size = 64;
  completion leftover_[batch_size];
  std::size_t leftover_count_ = 0;
  std::size_t outstanding_ = 0;
  bool armed_ = false;
  bool reaping_ = false; // one thread reaps at a time (see run_once())
  bool unflushed_ = false;
  std::atomic<bool> shut_down_{false};
};

} // namespace asio_uring_fixed::detail

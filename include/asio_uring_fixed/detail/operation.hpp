// The type-erased operation the engine submits and completes. Asio-free: the
// compiled engine (src/) sees only this, the templates in impl/ derive from it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace asio_uring_fixed::detail {

class engine;

/// One kernel request of an operation (an SQE, or a pread/pwrite on the
/// portable backend).
/// The arguments of a file-metadata request beyond fd / data / length /
/// offset (detail/metadata_op.hpp owns them, and the strings they point to).
struct metadata_args {
  const char* path = nullptr;  ///< openat, statx, mkdirat, unlinkat; the old name of
                               ///< renameat / linkat; the target of symlinkat;
                               ///< the attribute's name for the xattr requests
  const char* path2 = nullptr; ///< the new name of renameat / linkat / symlinkat
  int dirfd2 = -1;             ///< the new name's directory (renameat, linkat)
  int flags = 0;               ///< open, statx, unlink, rename, link, xattr or fsync flags
  std::uint32_t mode = 0;      ///< open / mkdir mode, statx mask, fallocate mode
  std::uint64_t length = 0;    ///< fallocate's length

  /// fsync's flags: fdatasync instead of fsync.
  static constexpr int datasync = 1;
};

struct io_request {
  enum kind_type : std::uint8_t {
    read,
    write,
    // File metadata: one request each, never linked, never on a stream.
    openat,
    statx,
    close,
    fsync,
    fallocate,
    renameat,
    unlinkat,
    mkdirat,
    symlinkat,
    linkat,
    fsetxattr,
    fgetxattr,
  };
  kind_type kind = read;
  int fd = -1;
  void* data = nullptr;
  std::uint32_t length = 0;
  std::uint64_t offset = 0;
  /// Registered-buffer slot, or -1 for a plain READ/WRITE.
  int buffer_slot = -1;
  /// Slot of fd in the ring's registered-file table (IOSQE_FIXED_FILE), or
  /// -1 to pass fd itself. fd stays valid either way: backends without the
  /// table (the portable one, Asio's ring) use it.
  int file_slot = -1;
  /// The metadata kinds' other arguments (null for read and write). For
  /// them fd is the descriptor or directory descriptor, data the statx or
  /// xattr buffer, length the xattr buffer's size, offset fallocate's.
  const metadata_args* metadata = nullptr;

  bool is_transfer() const noexcept { return kind == read || kind == write; }
};

/// Base of every operation. `complete_` is called once per request result
/// (CQE) with the owning engine, or with `owner == nullptr` when the engine is
/// shutting down: then the operation must destroy itself (without calling its
/// handler) once its last result has arrived.
class operation {
 public:
  using complete_func = void (*)(operation* op, engine* owner, unsigned index, int result);

  static constexpr unsigned max_requests = 2;

  explicit operation(complete_func f) noexcept : complete_(f) {}

  void complete(engine* owner, unsigned index, int result) {
    complete_(this, owner, index, result);
  }

  /// Requests to submit; with two, the second is linked to the first
  /// (IOSQE_IO_LINK semantics: it runs only if the first transferred fully).
  io_request requests_[max_requests];
  unsigned request_count_ = 0;
  /// Results still expected from the kernel (or the portable backend); the
  /// reaping thread decrements it right before each call of complete().
  std::atomic<unsigned> pending_{0};
  /// Set once cancellation was requested (also between two requests of a
  /// composed operation: engine::start() then completes the next request
  /// with -ECANCELED instead of submitting it).
  std::atomic<bool> cancel_requested_{false};
  /// The key under which the engine finds this operation for cancellation
  /// (engine::enable_cancellation), or 0 when no cancellation slot is
  /// connected. Cancellation handlers hold the key, never the pointer.
  std::uint64_t cancel_key_ = 0;
  engine* cancel_engine_ = nullptr; // the engine that issued cancel_key_
  /// For operations started with engine::start_external() (acquire waiters):
  /// called with the engine's lock held when cancellation is requested; true
  /// when it withdrew the operation, whose results_[0] it then set.
  bool (*withdraw_)(operation* op) noexcept = nullptr;
  /// The backend's record of the request now in flight (Asio's ring only:
  /// see detail/asio_ring_backend.hpp), guarded by that backend's lock.
  void* backend_request_ = nullptr;
  /// Intrusive links used by whichever queue holds the operation.
  operation* next_ = nullptr;
  operation* prev_ = nullptr;
  /// Results held until the engine reaps them: the portable backend's, and
  /// those the engine makes itself (cancelled backlog, external completions).
  int results_[max_requests] = {};

 protected:
  ~operation() = default;

 private:
  complete_func complete_;
};

/// A queue of operations linked through next_/prev_ (no allocation).
class op_queue {
 public:
  bool empty() const noexcept { return front_ == nullptr; }
  operation* front() const noexcept { return front_; }

  void push(operation* op) noexcept {
    op->next_ = nullptr;
    op->prev_ = back_;
    if (back_)
      back_->next_ = op;
    else
      front_ = op;
    back_ = op;
  }

  operation* pop() noexcept {
    operation* op = front_;
    if (op)
      erase(op);
    return op;
  }

  void erase(operation* op) noexcept {
    (op->prev_ ? op->prev_->next_ : front_) = op->next_;
    (op->next_ ? op->next_->prev_ : back_) = op->prev_;
    op->next_ = op->prev_ = nullptr;
  }

  bool contains(const operation* op) const noexcept {
    for (operation* p = front_; p; p = p->next_)
      if (p == op)
        return true;
    return false;
  }

  void splice(op_queue& other) noexcept {
    while (operation* op = other.pop())
      push(op);
  }

 private:
  operation* front_ = nullptr;
  operation* back_ = nullptr;
};

} // namespace asio_uring_fixed::detail

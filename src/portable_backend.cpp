// The portable backend: pread/pwrite on a few worker threads, results handed
// back through an eventfd. Same request and result semantics as the ring,
// including the linked read->write pair (the write runs only after a full
// read, else it fails with ECANCELED).
//
// Streams (pipes, sockets, terminals: pread/pwrite fail with ESPIPE) get the
// ring's semantics too: a request waits until the descriptor is readable or
// writable, then reads or writes at the descriptor's own position (the
// offset is ignored, as the kernel does), and can be cancelled while it
// waits. A request that meets ESPIPE is tried once without waiting; if the
// stream has nothing to give or no room, it goes to the backend's one poller
// thread, which poll()s every waiting descriptor and a wakeup eventfd and
// moves the data when one is ready. Workers never block on a stream, and
// regular files cost no system call more than their pread/pwrite.
#include "backend.hpp"
#include "metadata_calls.hpp"

#include <asio_uring_fixed/config.hpp>

#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio_uring_fixed::detail {
namespace {

static_assert(operation::max_requests == 2, "the linked queue holds second requests only");

error_code errno_code(int e) {
  return error_code(e, system_category());
}

/// A request on a seekable descriptor: pread/pwrite. -ESPIPE when the
/// descriptor is a stream.
int perform(const io_request& r) {
  if (!r.is_transfer())
    return perform_metadata(r);
  for (;;) {
    ssize_t n = r.kind == io_request::read
                    ? ::pread(r.fd, r.data, r.length, static_cast<off_t>(r.offset))
                    : ::pwrite(r.fd, r.data, r.length, static_cast<off_t>(r.offset));
    if (n >= 0)
      return static_cast<int>(n);
    if (errno != EINTR)
      return -errno;
  }
}

/// What one attempt at a stream request gave: a result, or nothing yet.
struct stream_attempt {
  bool done;
  int result;
};

/// Moves what the stream gives or takes now, without waiting, at its current
/// position: preadv2/pwritev2 with RWF_NOWAIT (pipes and sockets), which
/// returns EAGAIN instead of blocking, also on a descriptor without
/// O_NONBLOCK. Descriptors that cannot be asked not to wait (EOPNOTSUPP:
/// terminals, some devices) are read or written plainly, only once poll()
/// reported them ready (`polled`); such writes are cut to PIPE_BUF bytes,
/// the size a ready descriptor is expected to take without blocking.
stream_attempt try_stream(const io_request& r, bool polled) {
  iovec iov{r.data, r.length};
  for (;;) {
    ssize_t n = r.kind == io_request::read ? ::preadv2(r.fd, &iov, 1, -1, RWF_NOWAIT)
                                           : ::pwritev2(r.fd, &iov, 1, -1, RWF_NOWAIT);
    if (n < 0 && (errno == EOPNOTSUPP || errno == ENOSYS)) {
      if (!polled)
        return {false, 0};
      n = r.kind == io_request::read
              ? ::read(r.fd, r.data, r.length)
              : ::write(r.fd, r.data, std::min<std::size_t>(r.length, PIPE_BUF));
    }
    if (n >= 0)
      return {true, static_cast<int>(n)};
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return {false, 0};
    return {true, -errno};
  }
}

bool transferred_fully(const operation* op, unsigned index) {
  return op->results_[index] == static_cast<int>(op->requests_[index].length);
}

/// Runs op's requests from index on (the second only after a full first).
/// Returns the index of a stream request that has to wait, or
/// request_count_ when every result is in results_.
unsigned run(operation* op, unsigned index) {
  for (; index < op->request_count_; ++index) {
    if (index > 0 && !transferred_fully(op, index - 1)) {
      op->results_[index] = -ECANCELED;
      continue;
    }
    const io_request& r = op->requests_[index];
    int result = perform(r);
    if (result == -ESPIPE && r.is_transfer()) {
      stream_attempt a = try_stream(r, false);
      if (!a.done)
        return index;
      result = a.result;
    }
    op->results_[index] = result;
  }
  return index;
}

class portable_backend final : public backend {
 public:
  explicit portable_backend(unsigned threads) {
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0)
      throw system_error(errno_code(errno), "asio_uring_fixed: eventfd of the portable backend");
    if (threads == 0)
      threads = 1;
    try {
      workers_.reserve(threads);
      for (unsigned i = 0; i < threads; ++i)
        workers_.emplace_back([this] { work(); });
    } catch (const std::system_error& e) {
      stop_threads();
      ::close(event_fd_);
      throw system_error(errno_code(e.code().value()),
                         "asio_uring_fixed: thread of the portable backend");
    } catch (...) {
      stop_threads();
      ::close(event_fd_);
      throw;
    }
  }

  ~portable_backend() override {
    stop_threads();
    ::close(event_fd_);
    if (wake_fd_ >= 0)
      ::close(wake_fd_);
  }

  int wait_fd() const noexcept override { return event_fd_; }

  bool prepare(operation* op) override {
    {
      std::lock_guard lock(mutex_);
      queue_.push(op);
    }
    queue_cv_.notify_one();
    return true;
  }

  void flush() override {}

  std::size_t reap(completion* out, std::size_t max) override {
    std::lock_guard lock(mutex_);
    std::uint64_t value;
    [[maybe_unused]] ssize_t r = ::read(event_fd_, &value, sizeof value);
    std::size_t count = 0;
    while (operation* op = done_.front()) {
      if (count + op->request_count_ > max)
        break;
      done_.pop();
      for (unsigned i = 0; i < op->request_count_; ++i)
        out[count++] = {op, i, op->results_[i]};
    }
    if (!done_.empty())
      signal();
    return count;
  }

  bool ready() const override {
    std::lock_guard lock(mutex_);
    return !done_.empty();
  }

  void cancel(operation* op) override {
    std::lock_guard lock(mutex_);
    if (queue_.contains(op)) {
      queue_.erase(op);
      finish_from(op, 0);
    } else if (linked_.contains(op)) {
      linked_.erase(op);
      finish_from(op, 1);
    } else {
      auto it = std::find_if(waiting_.begin(), waiting_.end(),
                             [op](const stream_wait& w) { return w.op == op; });
      if (it == waiting_.end())
        return; // running: it completes on its own, or sees cancel_requested_
      unsigned index = it->index;
      waiting_.erase(it);
      finish_from(op, index);
      wake_poller(); // so that poll() lets go of the descriptor
    }
  }

  void cancel_all() override {
    std::lock_guard lock(mutex_);
    cancelled_all_ = true; // also for requests about to wait
    while (operation* op = queue_.pop())
      finish_from(op, 0);
    while (operation* op = linked_.pop())
      finish_from(op, 1);
    for (const stream_wait& w : waiting_)
      finish_from(w.op, w.index);
    waiting_.clear();
    wake_poller();
  }

  void wait() override {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [this] { return !done_.empty(); });
  }

  bool wait_for(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    return done_cv_.wait_for(lock, timeout, [this] { return !done_.empty(); });
  }

 private:
  /// A stream request waiting for its descriptor; key orders them by arrival.
  struct stream_wait {
    operation* op;
    unsigned index;
    std::uint64_t key;
  };

  void stop_threads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      wake_poller();
    }
    queue_cv_.notify_all();
    for (auto& t : workers_)
      t.join();
    if (poller_.joinable())
      poller_.join();
  }

  /// Completes op with ECANCELED for its requests from index `from` on.
  void finish_from(operation* op, unsigned from) {
    for (unsigned i = from; i < op->request_count_; ++i)
      op->results_[i] = -ECANCELED;
    push_done(op);
  }

  void push_done(operation* op) {
    bool was_empty = done_.empty();
    done_.push(op);
    if (was_empty)
      signal();
    done_cv_.notify_all();
  }

  void signal() {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(event_fd_, &one, sizeof one);
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty() || !linked_.empty(); });
      if (stopping_)
        return;
      unsigned index = 1;
      operation* op = linked_.pop();
      if (!op) {
        op = queue_.pop();
        index = 0;
      }
      lock.unlock();
      index = run(op, index);
      lock.lock();
      if (index < op->request_count_)
        wait_for_stream(op, index);
      else
        push_done(op);
    }
  }

  /// Hands request index of op to the poller. engine::cancel() sets
  /// cancel_requested_ before it takes mutex_ to look for op: either it
  /// finds op in waiting_, or op sees the flag here.
  void wait_for_stream(operation* op, unsigned index) {
    if (stopping_ || cancelled_all_ || op->cancel_requested_.load(std::memory_order_relaxed))
      return finish_from(op, index);
    int error = start_poller();
    if (!error) {
      try {
        waiting_.push_back({op, index, next_key_++});
      } catch (const std::bad_alloc&) {
        error = ENOMEM;
      }
    }
    if (error) {
      op->results_[index] = -error;
      return finish_from(op, index + 1);
    }
    wake_poller();
  }

  /// After request next - 1 of op finished on the poller: the linked request
  /// runs on a worker (it may be a file), else op is done.
  void continue_after_stream(operation* op, unsigned next) {
    if (next >= op->request_count_)
      return push_done(op);
    if (!transferred_fully(op, next - 1) || cancelled_all_ ||
        op->cancel_requested_.load(std::memory_order_relaxed))
      return finish_from(op, next);
    linked_.push(op);
    queue_cv_.notify_one();
  }

  /// Starts the poller on first use; an errno when it cannot.
  int start_poller() {
    if (poller_.joinable())
      return 0;
    if (wake_fd_ < 0) {
      wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (wake_fd_ < 0)
        return errno;
    }
    try {
      poller_ = std::thread([this] { poll_streams(); });
    } catch (const std::system_error& e) {
      return e.code().value();
    }
    return 0;
  }

  void wake_poller() {
    if (!poller_asleep_)
      return;
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(wake_fd_, &one, sizeof one);
  }

  /// The poller thread: one pollfd per descriptor with waiting requests
  /// (plus the wakeup eventfd); when a descriptor is ready, the oldest
  /// request waiting on it in that direction is tried without blocking.
  void poll_streams() {
    std::vector<pollfd> fds;
    std::unordered_map<int, std::size_t> slot_of; // descriptor -> index in fds
    struct claim {
      stream_wait wait;
      bool finished;
    };
    std::vector<claim> claimed;
    std::vector<short> taken; // per pollfd: directions already claimed this round
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
      slot_of.clear();
      for (const stream_wait& w : waiting_) {
        const io_request& r = w.op->requests_[w.index];
        auto [it, fresh] = slot_of.try_emplace(r.fd, fds.size());
        if (fresh)
          fds.push_back({r.fd, 0, 0});
        fds[it->second].events |= r.kind == io_request::read ? POLLIN : POLLOUT;
      }
      std::uint64_t polled_before = next_key_; // waits newer than this were not polled
      poller_asleep_ = true;
      lock.unlock();
      int n = ::poll(fds.data(), fds.size(), -1);
      int poll_error = n < 0 ? errno : 0;
      if (n > 0 && fds[0].revents) {
        std::uint64_t value;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &value, sizeof value);
      }
      lock.lock();
      poller_asleep_ = false;
      if (poll_error && poll_error != EINTR) {
        // Cannot wait (ENOMEM): the waiting requests fail with the reason.
        for (const stream_wait& w : waiting_) {
          w.op->results_[w.index] = -poll_error;
          finish_from(w.op, w.index + 1);
        }
        waiting_.clear();
        continue;
      }
      if (n <= 0)
        continue;
      claimed.clear();
      taken.assign(fds.size(), 0);
      auto keep = waiting_.begin();
      for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
        const io_request& r = it->op->requests_[it->index];
        auto slot = slot_of.find(r.fd);
        bool take = false;
        if (it->key < polled_before && slot != slot_of.end()) {
          short wanted = r.kind == io_request::read ? POLLIN : POLLOUT;
          take = !(taken[slot->second] & wanted) &&
                 (fds[slot->second].revents & (wanted | POLLERR | POLLHUP | POLLNVAL));
          if (take)
            taken[slot->second] |= wanted;
        }
        if (take)
          claimed.push_back({*it, false});
        else
          *keep++ = *it;
      }
      waiting_.erase(keep, waiting_.end());
      lock.unlock();
      // Claimed requests are in no queue: nothing else touches them now.
      for (claim& c : claimed) {
        stream_attempt a = try_stream(c.wait.op->requests_[c.wait.index], true);
        c.finished = a.done;
        if (a.done)
          c.wait.op->results_[c.wait.index] = a.result;
      }
      lock.lock();
      for (const claim& c : claimed) {
        if (c.finished)
          continue_after_stream(c.wait.op, c.wait.index + 1);
        else
          wait_for_stream(c.wait.op, c.wait.index); // spurious, or taken by another reader
      }
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable queue_cv_;
  std::condition_variable done_cv_;
  op_queue queue_;  // first requests, for the workers
  op_queue linked_; // second requests whose first finished on the poller
  op_queue done_;
  std::vector<stream_wait> waiting_; // stream requests, oldest first
  std::uint64_t next_key_ = 0;
  bool stopping_ = false;
  bool cancelled_all_ = false;
  bool poller_asleep_ = false;
  int event_fd_ = -1;
  int wake_fd_ = -1; // the poller's wakeup, made with the poller
  std::vector<std::thread> workers_;
  std::thread poller_;
};

} // namespace

std::unique_ptr<backend> make_portable_backend(const service_options& options) {
  return std::make_unique<portable_backend>(options.portable_threads);
}

} // namespace asio_uring_fixed::detail

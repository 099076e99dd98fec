// The portable backend: pread/pwrite on a few worker threads, results handed
// back through an eventfd. Same request and result semantics as the ring,
// including the linked read->write pair (the write runs only after a full
// read, else it fails with ECANCELED).
#include "backend.hpp"

#include <asio_uring_fixed/config.hpp>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace asio_uring_fixed::detail {
namespace {

error_code errno_code(int e) {
  return error_code(e, boost::system::system_category());
}

int perform(const io_request& r) {
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
    if (!queue_.contains(op))
      return; // running: it completes on its own
    queue_.erase(op);
    finish_cancelled(op);
  }

  void cancel_all() override {
    std::lock_guard lock(mutex_);
    while (operation* op = queue_.pop())
      finish_cancelled(op);
  }

  void wait() override {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [this] { return !done_.empty(); });
  }

 private:
  void stop_threads() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    for (auto& t : workers_)
      t.join();
  }

  void finish_cancelled(operation* op) {
    for (unsigned i = 0; i < op->request_count_; ++i)
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
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_)
        return;
      operation* op = queue_.pop();
      lock.unlock();
      op->results_[0] = perform(op->requests_[0]);
      if (op->request_count_ > 1)
        op->results_[1] = op->results_[0] == static_cast<int>(op->requests_[0].length)
                              ? perform(op->requests_[1])
                              : -ECANCELED;
      lock.lock();
      push_done(op);
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable queue_cv_;
  std::condition_variable done_cv_;
  op_queue queue_;
  op_queue done_;
  bool stopping_ = false;
  int event_fd_ = -1;
  std::vector<std::thread> workers_;
};

} // namespace

std::unique_ptr<backend> make_portable_backend(const service_options& options) {
  return std::make_unique<portable_backend>(options.portable_threads);
}

} // namespace asio_uring_fixed::detail

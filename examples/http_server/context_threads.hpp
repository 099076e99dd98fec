// One io_context per thread ("thread per core"): N contexts, each run by
// exactly one thread, each with its own ring.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <span>
#include <vector>

namespace http_server {

/// Owns the io_contexts. Each is created with concurrency hint 1 (one
/// thread runs it) and kept alive by a work guard until stop(), so a
/// context with no connection yet does not return from run().
///
/// Lifetime: destroy everything that uses a context (the shared pool
/// first) before this object. The destructor destroys context 0 first:
/// it hosts the listener(s) and signal sets, whose pending operations may
/// hold executors of the other contexts; a connection's objects live on
/// one context only, so the others can go in any order after it.
class context_threads {
 public:
  explicit context_threads(unsigned count);
  ~context_threads();
  context_threads(const context_threads&) = delete;
  context_threads& operator=(const context_threads&) = delete;

  std::size_t size() const noexcept { return contexts_.size(); }
  boost::asio::io_context& operator[](std::size_t i) { return *contexts_[i]; }
  /// The contexts in order, as the shared pool's constructor takes them.
  std::span<boost::asio::io_context* const> pointers() const noexcept { return pointers_; }

  /// Runs context 0 on the calling thread and each other one on a thread of
  /// its own; returns when all have stopped and the threads are joined.
  /// An exception escaping a handler stops every context and is rethrown
  /// here (the first one).
  void run();

  /// Stops every context (from any thread): their run() calls return soon
  /// after; handlers not run yet stay queued and are destroyed with their
  /// context.
  void stop() noexcept;

 private:
  using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::io_context*> pointers_;
  std::vector<work_guard> guards_;
};

} // namespace http_server

// Sends a file range over a socket through leases of the shared pool.
#pragma once

#include "chunk_plan.hpp"
#include "reply.hpp"

#include <asio_uring_fixed/fixed_buffer_pool.hpp>

#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace http_server {

/// The body of one response, read with async_read_fixed_at (READ_FIXED when
/// the pool is registered) into a lease and written to the socket from the
/// same lease; the header goes out in the same gather write as the first
/// chunk.
///
/// Buffers: the first lease is waited for with async_acquire, so when the
/// pool is empty a response waits its turn (first come, first served)
/// instead of failing or allocating. Up to max_buffers - 1 more are taken
/// with try_acquire only when free, to read the next chunks while the
/// socket drains the current one; a lease that was written from is reused
/// for the next read. Chunks are written strictly in file order.
///
/// Completion: done(ec) is called once, on the stream's executor, after
/// every read, write and acquire started here has completed (so every lease
/// is back in the pool, and the stream is no longer used).
///
/// Threads: every handler is bound to the stream's executor, its
/// io_context (run by one thread); start() must be called there. The pool
/// may be shared by several contexts: the lease's reads run on the ring of
/// the context the handler is bound to, so a connection only ever uses its
/// own context's ring.
class fixed_file_sender : public std::enable_shared_from_this<fixed_file_sender> {
 public:
  using done_handler = std::function<void(boost::system::error_code)>;

  fixed_file_sender(boost::beast::tcp_stream& stream, asio_uring_fixed::fixed_buffer_pool& pool,
                    std::string header, file_source source, unsigned max_buffers,
                    std::chrono::seconds timeout, done_handler done);

  void start();

  /// Body bytes written so far.
  std::uint64_t bytes_sent() const noexcept { return sent_; }

 private:
  struct chunk {
    asio_uring_fixed::fixed_buffer lease; ///< empty while its read is in flight
    std::size_t skip = 0;
    std::size_t length = 0;
    bool ready = false;
  };

  void on_acquire(boost::system::error_code ec, asio_uring_fixed::fixed_buffer lease);
  void read_ahead();
  void start_read(asio_uring_fixed::fixed_buffer lease);
  void on_read(std::uint64_t seq, boost::system::error_code ec, std::size_t n,
               asio_uring_fixed::fixed_buffer lease);
  void write_next();
  void on_write(boost::system::error_code ec, std::size_t n);
  void fail(boost::system::error_code ec);
  void finish_if_done();

  template <typename Handler>
  auto bind(Handler&& h) {
    return boost::asio::bind_executor(stream_.get_executor(), std::forward<Handler>(h));
  }

  boost::beast::tcp_stream& stream_;
  asio_uring_fixed::fixed_buffer_pool& pool_;
  std::string header_;
  file_source source_;
  std::uint64_t end_;
  std::uint64_t next_read_;     ///< body position the next read starts at
  std::deque<chunk> chunks_;    ///< in file order; front is written next
  std::uint64_t front_seq_ = 0; ///< sequence number of chunks_.front()
  unsigned max_buffers_;
  unsigned pending_ = 0; ///< acquire, reads and write in flight
  bool writing_ = false;
  bool header_sent_ = false;
  bool done_called_ = false;
  std::uint64_t sent_ = 0;
  std::chrono::seconds timeout_;
  boost::system::error_code error_;
  done_handler done_;
};

} // namespace http_server

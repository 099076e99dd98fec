// The lease pipeline: acquire -> read_fixed -> socket write -> reuse.
#include "fixed_file_sender.hpp"

#include <asio_uring_fixed/read_write_fixed.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace http_server {

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;
using boost::system::error_code;

fixed_file_sender::fixed_file_sender(boost::beast::tcp_stream& stream, auf::fixed_buffer_pool& pool,
                                     std::string header, file_source source, unsigned max_buffers,
                                     std::chrono::seconds timeout, done_handler done)
    : stream_(stream), pool_(pool), header_(std::move(header)), source_(std::move(source)),
      end_(source_.range.first + source_.range.length), next_read_(source_.range.first),
      max_buffers_(max_buffers), timeout_(timeout), done_(std::move(done)) {}

void fixed_file_sender::start() {
  // Back-pressure: with every buffer leased, this waits for one.
  ++pending_;
  pool_.async_acquire(bind([self = shared_from_this()](error_code ec, auf::fixed_buffer lease) {
    self->on_acquire(ec, std::move(lease));
  }));
}

void fixed_file_sender::on_acquire(error_code ec, auf::fixed_buffer lease) {
  --pending_;
  if (ec)
    return fail(ec);
  start_read(std::move(lease));
  read_ahead();
}

// More reads in flight while the socket drains, with buffers nobody waits for.
void fixed_file_sender::read_ahead() {
  while (!error_ && next_read_ < end_ && chunks_.size() < max_buffers_) {
    auf::fixed_buffer lease = pool_.try_acquire();
    if (!lease)
      break;
    start_read(std::move(lease));
  }
}

void fixed_file_sender::start_read(auf::fixed_buffer lease) {
  const chunk_plan plan =
      plan_chunk(next_read_, end_, source_.file_size, source_.alignment, lease.capacity());
  next_read_ = plan.next;
  const std::uint64_t seq = front_seq_ + chunks_.size();
  chunks_.push_back({{}, plan.skip, plan.length, false});
  lease.set_range(0, plan.read_length);
  ++pending_;
  auto handler =
      bind([self = shared_from_this(), seq](error_code ec, std::size_t n, auf::fixed_buffer lease) {
        self->on_read(seq, ec, n, std::move(lease));
      });
  if (plan.past_eof && source_.alignment > 1)
    // O_DIRECT tail: one aligned request that the kernel cuts short at the
    // end of the file (the _all form would retry at an unaligned offset).
    auf::async_read_fixed_at(source_.file, plan.read_at, std::move(lease), std::move(handler));
  else
    auf::async_read_fixed_all_at(source_.file, plan.read_at, std::move(lease), std::move(handler));
}

void fixed_file_sender::on_read(std::uint64_t seq, error_code ec, std::size_t n,
                                auf::fixed_buffer lease) {
  --pending_;
  chunk& c = chunks_[seq - front_seq_];
  // eof is fine as long as the wanted bytes arrived (an O_DIRECT tail).
  if (!error_ && n < c.skip + c.length)
    fail(ec && ec != asio::error::eof ? ec : make_error_code(boost::system::errc::io_error));
  if (error_)
    return finish_if_done(); // the lease goes back to the pool here
  c.lease = std::move(lease);
  c.lease.set_range(c.skip, c.length);
  c.ready = true;
  write_next();
}

void fixed_file_sender::write_next() {
  if (writing_ || error_ || chunks_.empty() || !chunks_.front().ready)
    return;
  writing_ = true;
  ++pending_;
  stream_.expires_after(timeout_);
  auto handler =
      bind([self = shared_from_this()](error_code ec, std::size_t n) { self->on_write(ec, n); });
  const auf::fixed_buffer& lease = chunks_.front().lease;
  if (!header_sent_)
    asio::async_write(stream_,
                      std::array<asio::const_buffer, 2>{asio::buffer(header_), lease.buffer()},
                      std::move(handler));
  else
    asio::async_write(stream_, asio::const_buffer(lease.buffer()), std::move(handler));
}

void fixed_file_sender::on_write(error_code ec, std::size_t) {
  --pending_;
  writing_ = false;
  if (ec)
    return fail(ec);
  header_sent_ = true;
  auf::fixed_buffer lease = std::move(chunks_.front().lease);
  sent_ += chunks_.front().length;
  chunks_.pop_front();
  ++front_seq_;
  if (next_read_ < end_)
    start_read(std::move(lease)); // keep the buffer: no trip through the pool
  else
    lease.release();
  read_ahead();
  write_next();
  finish_if_done();
}

void fixed_file_sender::fail(error_code ec) {
  if (!error_)
    error_ = ec;
  finish_if_done();
}

void fixed_file_sender::finish_if_done() {
  if (done_called_ || pending_ != 0 || (!error_ && (!chunks_.empty() || next_read_ < end_)))
    return;
  done_called_ = true;
  chunks_.clear(); // leases back before the connection goes on
  auto done = std::move(done_);
  done(error_);
}

} // namespace http_server

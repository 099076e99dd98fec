#include "sync_file_sender.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/write.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>

namespace http_server {

namespace asio = boost::asio;
using boost::system::error_code;

sync_file_sender::sync_file_sender(boost::beast::tcp_stream& stream, std::span<std::byte> buffer,
                                   std::string header, file_source source,
                                   std::chrono::seconds timeout, done_handler done)
    : stream_(stream), buffer_(buffer), header_(std::move(header)), source_(std::move(source)),
      end_(source_.range.first + source_.range.length), pos_(source_.range.first),
      timeout_(timeout), done_(std::move(done)) {}

void sync_file_sender::step() {
  current_ = plan_chunk(pos_, end_, source_.file_size, source_.alignment, buffer_.size());
  const std::size_t wanted = current_.skip + current_.length;
  std::size_t got = 0;
  while (got < wanted) {
    ssize_t r = ::pread(source_.file.native_handle(), buffer_.data() + got,
                        current_.read_length - got, static_cast<off_t>(current_.read_at + got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return finish(error_code(errno, boost::system::system_category()));
    if (r == 0)
      return finish(make_error_code(boost::system::errc::io_error)); // the file shrank
    got += static_cast<std::size_t>(r);
  }
  stream_.expires_after(timeout_);
  auto body = asio::buffer(buffer_.data() + current_.skip, current_.length);
  auto handler = asio::bind_executor(
      stream_.get_executor(),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->on_write(ec, n); });
  if (!header_sent_)
    asio::async_write(stream_, std::array<asio::const_buffer, 2>{asio::buffer(header_), body},
                      std::move(handler));
  else
    asio::async_write(stream_, asio::const_buffer(body), std::move(handler));
}

void sync_file_sender::on_write(error_code ec, std::size_t) {
  if (ec)
    return finish(ec);
  header_sent_ = true;
  pos_ = current_.next;
  if (pos_ < end_)
    return step();
  finish({});
}

void sync_file_sender::finish(error_code ec) {
  auto done = std::move(done_);
  done(ec);
}

} // namespace http_server

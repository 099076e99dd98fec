#include "http_session.hpp"

#include "failure.hpp"
#include "fixed_file_sender.hpp"
#include "header_bytes.hpp"
#include "request_handler.hpp"
#include "sync_file_sender.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace http_server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http_session::http_session(asio::ip::tcp::socket&& socket, server_context& ctx,
                           unsigned context_index)
    : stream_(std::move(socket)), ctx_(ctx), context_stats_(ctx.stats.per_context[context_index]) {
  ctx_.stats.sessions.fetch_add(1, std::memory_order_relaxed);
}

http_session::~http_session() {
  ctx_.stats.sessions.fetch_sub(1, std::memory_order_relaxed);
}

void http_session::run() {
  // Everything from here on runs on the socket's context (its one thread).
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
  parser_.emplace();
  parser_->body_limit(10000); // GET and HEAD carry no body
  stream_.expires_after(ctx_.options.timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream)
    return do_close();
  if (ec) {
    // A malformed request gets an answer before the connection closes;
    // a timeout or a reset just closes it.
    if (ec.category() != make_error_code(http::error::bad_target).category())
      return report_failure(ec, "read");
    http::status status = ec == http::error::body_limit ? http::status::payload_too_large
                          : ec == http::error::header_limit
                              ? http::status::request_header_fields_too_large
                              : http::status::bad_request;
    count_request();
    return send(text_reply(status, "bad request: " + ec.message() + "\n", 11, false));
  }
  count_request();
  send(handle_request(ctx_, parser_->get()));
}

void http_session::count_request() {
  ctx_.stats.requests.fetch_add(1, std::memory_order_relaxed);
  context_stats_.requests.fetch_add(1, std::memory_order_relaxed);
}

void http_session::send(reply r) {
  keep_alive_ = r.head.keep_alive();
  if (!r.file) {
    header_ = serialize_header(r.head);
    return send_text(std::move(r.text));
  }
  auto done = [self = shared_from_this()](beast::error_code ec) { self->on_sent(ec); };
  const bool whole = r.file->range.first == 0 && r.file->range.length == r.file->file_size;
  switch (ctx_.options.mode) {
  case read_mode::fixed: {
    auto sender = std::make_shared<fixed_file_sender>(
        stream_, *ctx_.pool, serialize_header(r.head), std::move(*r.file),
        ctx_.options.connection_buffers, ctx_.options.timeout, std::move(done));
    return sender->start();
  }
  case read_mode::file_body:
    if (whole)
      return send_file_body(std::move(r));
    [[fallthrough]]; // file_body cannot send part of a file (Boost 1.81)
  case read_mode::sync_read: {
    auto sender = std::make_shared<sync_file_sender>(stream_, sync_buffer(),
                                                     serialize_header(r.head), std::move(*r.file),
                                                     ctx_.options.timeout, std::move(done));
    return sender->start();
  }
  }
}

void http_session::send_text(std::string text) {
  text_ = std::move(text);
  stream_.expires_after(ctx_.options.timeout);
  asio::async_write(
      stream_, std::array<asio::const_buffer, 2>{asio::buffer(header_), asio::buffer(text_)},
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_sent(ec); });
}

// Stock Beast: http::async_write of a response<file_body>, which reads the
// file 4 KiB at a time on this thread.
void http_session::send_file_body(reply r) {
  beast::error_code ec;
  beast::file f;
  f.native_handle(r.file->file.release());
  file_response_.emplace(std::move(r.head.base()));
  file_response_->body().reset(std::move(f), ec);
  if (ec)
    return on_sent(ec);
  stream_.expires_after(ctx_.options.timeout);
  http::async_write(stream_, *file_response_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->file_response_.reset();
                      self->on_sent(ec);
                    });
}

std::span<std::byte> http_session::sync_buffer() {
  const std::size_t size = ctx_.options.buffer_size;
  if (!sync_buffer_) {
    sync_buffer_.reset(static_cast<std::byte*>(std::aligned_alloc(4096, size)));
    if (!sync_buffer_)
      throw std::bad_alloc();
  }
  return {sync_buffer_.get(), size};
}

void http_session::on_sent(beast::error_code ec) {
  if (ec) {
    ctx_.stats.send_failures.fetch_add(1, std::memory_order_relaxed);
    report_failure(ec, "write");
    stream_.socket().close(ec);
    return;
  }
  ctx_.stats.responses.fetch_add(1, std::memory_order_relaxed);
  if (!keep_alive_)
    return close_after_reply();
  do_read();
}

// The client closed its side: nothing more will come; the session ends when
// the last handler holding it returns.
void http_session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

// We close (Connection: close, HTTP/1.0, a malformed request): half-close,
// then read and discard what the client still sends until it closes, for at
// most 2 s in all. Closing with unread bytes makes the kernel reset the
// connection, and the client may lose the reply it has not read yet
// (RFC 9112 section 9.6).
void http_session::close_after_reply() {
  do_close();
  stream_.expires_after(std::chrono::seconds(2)); // one budget for every read below
  drain();
}

void http_session::drain() {
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec)
                              self->drain();
                          });
}

} // namespace http_server

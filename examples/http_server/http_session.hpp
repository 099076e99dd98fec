// One HTTP connection: read a request, send the reply, repeat while the
// connection is kept alive. Beast's async server session, with file bodies
// sent through the library's leases.
#pragma once

#include "reply.hpp"
#include "server_context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

namespace http_server {

/// Requests are handled one at a time, in order (pipelined requests wait in
/// the read buffer). Lifetime: owned by the handlers of its pending
/// operations (shared_from_this), as in Beast's examples. Everything runs
/// on the socket's executor: one io_context run by one thread, so no strand
/// is needed (and the pool's leases are used on that context's ring).
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  /// context_index: the io_context the socket belongs to (its counters).
  http_session(boost::asio::ip::tcp::socket&& socket, server_context& ctx, unsigned context_index);
  ~http_session();

  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void count_request();
  void send(reply r);
  void send_text(std::string text);
  void send_file_body(reply r);
  std::span<std::byte> sync_buffer();
  void on_sent(boost::beast::error_code ec);
  void do_close();
  void close_after_reply();
  void drain();

  struct free_deleter {
    void operator()(std::byte* p) const noexcept { std::free(p); }
  };

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  server_context& ctx_;
  context_stats& context_stats_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool keep_alive_ = false;
  std::string header_; ///< serialized header of a reply without a file body
  std::string text_;   ///< its body
  std::optional<boost::beast::http::response<boost::beast::http::file_body>> file_response_;
  std::unique_ptr<std::byte, free_deleter> sync_buffer_; ///< sync-read mode, made on first use
};

} // namespace http_server

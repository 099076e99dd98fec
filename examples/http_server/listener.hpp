// Accepts connections and starts an http_session for each (Beast's listener).
#pragma once

#include "server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace http_server {

class listener : public std::enable_shared_from_this<listener> {
 public:
  /// Opens, binds and listens; throws boost::system::system_error naming
  /// the step that failed.
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           server_context& ctx);

  /// The bound address (the real port when 0 was asked for).
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  void run();

  /// Stops accepting (from any thread).
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  server_context& ctx_;
};

} // namespace http_server

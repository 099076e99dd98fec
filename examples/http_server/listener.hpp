// Accepts connections and starts an http_session for each (Beast's
// listener), on the io_context each connection is meant to live on.
#pragma once

#include "server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <vector>

namespace http_server {

/// Where accepted connections go: an io_context and its index (for the
/// per-context counters).
struct accept_target {
  boost::asio::io_context* context;
  unsigned index;
};

/// Accepts on its own io_context and hands connection k to
/// targets[k % targets.size()]: the socket is created on that target's
/// context and the session runs there only. With one target that is the
/// listener's own context (one SO_REUSEPORT listener per context); with all
/// of them, round-robin from one acceptor.
///
/// Lifetime: owned by the handler of its pending accept (shared_from_this).
/// The target contexts must outlive that handler's invocation; the
/// listener's context is destroyed first (see context_threads), and a
/// pending accept destroyed with it touches no other context.
class listener : public std::enable_shared_from_this<listener> {
 public:
  /// Opens, binds and listens; throws boost::system::system_error naming
  /// the step that failed. With reuse_port, SO_REUSEPORT is set before the
  /// bind, so that other listeners can bind the same address and port.
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           server_context& ctx, std::vector<accept_target> targets, bool reuse_port);

  /// The bound address (the real port when 0 was asked for).
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  void run();

  /// Stops accepting (from any thread).
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  server_context& ctx_;
  std::vector<accept_target> targets_;
  std::size_t next_ = 0; ///< the target of the pending accept
};

} // namespace http_server

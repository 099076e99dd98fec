#include "listener.hpp"

#include "failure.hpp"
#include "http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace http_server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

listener::listener(asio::io_context& ioc, const tcp::endpoint& endpoint, server_context& ctx,
                   std::vector<accept_target> targets, bool reuse_port)
    : acceptor_(ioc), ctx_(ctx), targets_(std::move(targets)) {
  boost::system::error_code ec;
  auto check = [&](const char* what) {
    if (ec)
      throw boost::system::system_error(ec, what);
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  check("set_option");
  if (reuse_port) {
    const int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      ec.assign(errno, boost::system::system_category());
    check("set_option(SO_REUSEPORT)");
  }
  acceptor_.bind(endpoint, ec);
  check("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  check("listen");
}

void listener::run() {
  do_accept();
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void listener::do_accept() {
  // The socket is made on the target's context: its reactor, its timers,
  // its ring (through the pool's choice of context) -- nothing of the
  // connection touches the listener's context afterwards.
  const asio::any_io_executor peer = targets_[next_].context->get_executor();
  acceptor_.async_accept(peer, beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return; // stopped
  if (ec) {
    report_failure(ec, "accept"); // e.g. EMFILE: keep accepting
  } else {
    const accept_target& target = targets_[next_];
    next_ = (next_ + 1) % targets_.size();
    socket.set_option(tcp::no_delay(true), ec);
    ctx_.stats.per_context[target.index].connections.fetch_add(1, std::memory_order_relaxed);
    // run() dispatches to the socket's executor: a post to the target's
    // thread when that is another context.
    std::make_shared<http_session>(std::move(socket), ctx_, target.index)->run();
  }
  do_accept();
}

} // namespace http_server

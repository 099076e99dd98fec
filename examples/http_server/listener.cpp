#include "listener.hpp"

#include "failure.hpp"
#include "http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace http_server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

listener::listener(asio::io_context& ioc, const tcp::endpoint& endpoint, server_context& ctx)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), ctx_(ctx) {
  boost::system::error_code ec;
  auto check = [&](const char* what) {
    if (ec)
      throw boost::system::system_error(ec, what);
  };
  acceptor_.open(endpoint.protocol(), ec);
  check("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  check("set_option");
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
  // Each connection gets its own strand.
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return; // stopped
  if (ec) {
    report_failure(ec, "accept"); // e.g. EMFILE: keep accepting
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<http_session>(std::move(socket), ctx_)->run();
  }
  do_accept();
}

} // namespace http_server

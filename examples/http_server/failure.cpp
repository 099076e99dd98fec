#include "failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <cstdio>

namespace http_server {

void report_failure(boost::system::error_code ec, const char* what) {
  namespace error = boost::asio::error;
  if (ec == error::operation_aborted || ec == error::eof || ec == error::connection_reset ||
      ec == error::broken_pipe || ec == boost::beast::error::timeout ||
      ec == boost::beast::http::error::end_of_stream)
    return;
  std::fprintf(stderr, "%s: %s\n", what, ec.message().c_str());
}

} // namespace http_server

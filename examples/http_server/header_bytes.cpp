#include "header_bytes.hpp"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/serializer.hpp>

namespace http_server {

std::string
serialize_header(const boost::beast::http::response<boost::beast::http::empty_body>& head) {
  namespace http = boost::beast::http;
  http::response_serializer<http::empty_body> sr{head};
  sr.split(true);
  std::string out;
  boost::system::error_code ec;
  while (!ec && !sr.is_header_done())
    sr.next(ec, [&](boost::system::error_code& ec, const auto& buffers) {
      ec = {};
      std::size_t n = 0;
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
  return out;
}

} // namespace http_server

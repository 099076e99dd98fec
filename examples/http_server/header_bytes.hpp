// A response header serialized by Beast into bytes we send ourselves.
#pragma once

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <string>

namespace http_server {

/// The start line and fields of head exactly as http::async_write_header
/// would send them (Beast's serializer, split at the header). The body
/// senders put these bytes and the first body chunk in one gather write, so
/// a response costs no extra send(2) and no Nagle wait between the two.
std::string
serialize_header(const boost::beast::http::response<boost::beast::http::empty_body>& head);

} // namespace http_server

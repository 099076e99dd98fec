// handle_request: the server's policy, from a parsed request to a reply.
#pragma once

#include "reply.hpp"
#include "server_context.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace http_server {

using request = boost::beast::http::request<boost::beast::http::string_body>;

/// Beast's example handle_request, returning the reply instead of sending
/// it. GET and HEAD of files below the root (405 otherwise), with
/// Last-Modified / If-Modified-Since (304), one byte range (206, 416),
/// If-Range by date, and /__stats. Refuses ".." (403), symlinks leading out
/// of the root (403), directories, FIFOs and devices (403); 404 when the
/// file does not exist. Opens the file; does no other I/O. Thread-safe.
reply handle_request(server_context& ctx, const request& req);

/// A short text reply (errors): status, Content-Type text/plain,
/// Content-Length, and the text as body unless head_only.
reply text_reply(boost::beast::http::status status, std::string text, unsigned version,
                 bool keep_alive, bool head_only = false);

} // namespace http_server

// What handle_request decides: a response header, and where the body comes
// from (a short text, or a range of an open file).
#pragma once

#include "byte_range.hpp"

#include <asio_uring_fixed/file.hpp>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace http_server {

/// A range of an open file to send as the body.
struct file_source {
  asio_uring_fixed::file file;
  std::uint64_t file_size = 0;
  byte_range range; ///< never empty
  /// O_DIRECT alignment of offsets and lengths; 1 for page-cache reads.
  std::size_t alignment = 1;
};

struct reply {
  /// Status and fields, Content-Length included (for HEAD too: the length
  /// GET would send). The body type is empty: the header is serialized by
  /// Beast, the body bytes come from text or file.
  boost::beast::http::response<boost::beast::http::empty_body> head;
  /// A short body (error pages, /__stats); empty for HEAD.
  std::string text;
  /// The file body of a 200 or 206 GET with at least one byte.
  std::optional<file_source> file;
};

} // namespace http_server

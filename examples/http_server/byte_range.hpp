// The Range request header (RFC 9110 section 14): one byte range.
#pragma once

#include <cstdint>
#include <string_view>

namespace http_server {

/// [first, first + length) of a representation.
struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

struct range_request {
  enum kind_type {
    /// No usable Range: absent, another unit, bad syntax, or several ranges
    /// (the server may ignore Range, and does: it sends the whole file).
    whole,
    /// One satisfiable range: 206 with Content-Range.
    partial,
    /// Syntactically fine but outside the representation: 416.
    unsatisfiable,
  } kind = whole;
  byte_range range;
};

/// Evaluates a Range header value ("bytes=a-b", "bytes=a-", "bytes=-n")
/// against a representation of size bytes. last-pos past the end is
/// clamped; first-pos at or past the end, "-0" and any range of an empty
/// file are unsatisfiable; "a-b" with b < a is invalid and ignored.
range_request evaluate_range(std::string_view header, std::uint64_t size);

} // namespace http_server

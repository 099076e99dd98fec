// From a request-target to a path below the document root.
#pragma once

#include <string>
#include <string_view>

namespace http_server {

struct target_path {
  enum status_type {
    ok,
    bad_request, ///< not origin-form, bad percent-encoding, NUL
    forbidden,   ///< a ".." segment (also when percent-encoded)
  } status = ok;
  /// Relative path, segments joined by '/', never empty, never starting with
  /// '/' and holding no "." or ".." segment. A target ending in '/' names
  /// its index.html.
  std::string relative;
};

/// Decodes an origin-form request-target: drops the query, percent-decodes
/// everything (so %2e%2e and %2f count as the characters they encode), then
/// refuses ".." segments and drops empty and "." ones. Decoding once is
/// enough: the result is used as a path, never decoded again.
target_path decode_target(std::string_view target);

} // namespace http_server

// Content-Type from a file name's extension.
#pragma once

#include <string_view>

namespace http_server {

/// The media type for path's extension (case-insensitive), or
/// "application/octet-stream".
std::string_view mime_type(std::string_view path);

} // namespace http_server

// The extension table of Beast's example servers, plus a few common types.
#include "mime_type.hpp"

#include <boost/beast/core/string.hpp>

#include <utility>

namespace http_server {

std::string_view mime_type(std::string_view path) {
  using boost::beast::iequals;
  static constexpr std::pair<std::string_view, std::string_view> table[] = {
      {".htm", "text/html"},
      {".html", "text/html"},
      {".php", "text/html"},
      {".css", "text/css"},
      {".txt", "text/plain"},
      {".js", "application/javascript"},
      {".json", "application/json"},
      {".xml", "application/xml"},
      {".swf", "application/x-shockwave-flash"},
      {".flv", "video/x-flv"},
      {".png", "image/png"},
      {".jpe", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".jpg", "image/jpeg"},
      {".gif", "image/gif"},
      {".bmp", "image/bmp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".tiff", "image/tiff"},
      {".tif", "image/tiff"},
      {".svg", "image/svg+xml"},
      {".svgz", "image/svg+xml"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
      {".mp4", "video/mp4"},
      {".webm", "video/webm"},
  };
  std::size_t slash = path.rfind('/');
  std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string_view ext = path.substr(dot);
  for (const auto& [e, type] : table)
    if (iequals(ext, e))
      return type;
  return "application/octet-stream";
}

} // namespace http_server

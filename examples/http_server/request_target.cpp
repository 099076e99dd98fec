// Request-target decoding. This is the lexical half of traversal refusal;
// document_root::open is the other half (symlinks that lead outside).
#include "request_target.hpp"

namespace http_server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

target_path decode_target(std::string_view target) {
  target_path result;
  if (target.empty() || target.front() != '/') {
    result.status = target_path::bad_request; // absolute-form, authority-form, '*'
    return result;
  }
  target = target.substr(0, target.find_first_of("?#"));

  std::string decoded;
  decoded.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      int hi = i + 2 < target.size() ? hex_value(target[i + 1]) : -1;
      int lo = hi >= 0 ? hex_value(target[i + 2]) : -1;
      if (lo < 0) {
        result.status = target_path::bad_request;
        return result;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') {
      result.status = target_path::bad_request;
      return result;
    }
    decoded.push_back(c);
  }

  std::string_view rest = decoded;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".")
      continue;
    if (segment == "..") {
      result.status = target_path::forbidden;
      return result;
    }
    if (!result.relative.empty())
      result.relative.push_back('/');
    result.relative.append(segment);
  }
  if (result.relative.empty() || decoded.back() == '/')
    result.relative.append(result.relative.empty() ? "index.html" : "/index.html");
  return result;
}

} // namespace http_server

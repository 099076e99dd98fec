// Range header evaluation: a small hand-written parser, strict about syntax
// and saturating on huge numbers (a huge first-pos is simply unsatisfiable).
#include "byte_range.hpp"

#include <boost/beast/core/string.hpp>

#include <limits>
#include <optional>

namespace http_server {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Digits only, at least one; saturates at UINT64_MAX.
std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.empty())
    return std::nullopt;
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    unsigned d = static_cast<unsigned>(c - '0');
    v = v > (max - d) / 10 ? max : v * 10 + d;
  }
  return v;
}

} // namespace

range_request evaluate_range(std::string_view header, std::uint64_t size) {
  range_request whole;
  header = trim(header);
  constexpr std::string_view unit = "bytes=";
  if (header.size() < unit.size() || !boost::beast::iequals(header.substr(0, unit.size()), unit))
    return whole;
  std::string_view spec = trim(header.substr(unit.size()));
  if (spec.find(',') != std::string_view::npos)
    return whole; // several ranges: no multipart/byteranges here
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos)
    return whole;
  std::string_view first_text = spec.substr(0, dash), last_text = spec.substr(dash + 1);

  range_request r;
  if (first_text.empty()) { // suffix: the last n bytes
    auto n = parse_number(last_text);
    if (!n)
      return whole;
    if (*n == 0 || size == 0) {
      r.kind = range_request::unsatisfiable;
      return r;
    }
    std::uint64_t length = *n < size ? *n : size;
    r.kind = range_request::partial;
    r.range = {size - length, length};
    return r;
  }
  auto first = parse_number(first_text);
  if (!first)
    return whole;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    auto l = parse_number(last_text);
    if (!l || *l < *first)
      return whole;
    last = *l < last ? *l : last;
  }
  if (*first >= size) {
    r.kind = range_request::unsatisfiable;
    return r;
  }
  r.kind = range_request::partial;
  r.range = {*first, last - *first + 1};
  return r;
}

} // namespace http_server

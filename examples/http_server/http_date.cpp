// HTTP dates with strftime/strptime in the C locale (the program never
// calls setlocale, so day and month names are the English ones HTTP wants).
#include "http_date.hpp"

#include <time.h>

namespace http_server {

std::string format_http_date(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[64];
  std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, n);
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  if (text.empty() || text.size() > 64)
    return std::nullopt;
  std::string copy(text); // strptime needs a terminated string
  static constexpr const char* formats[] = {
      "%a, %d %b %Y %H:%M:%S GMT", // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT", // obsolete RFC 850
      "%a %b %e %H:%M:%S %Y",      // obsolete asctime
  };
  for (const char* format : formats) {
    std::tm tm{};
    const char* end = ::strptime(copy.c_str(), format, &tm);
    if (end && *end == '\0')
      return ::timegm(&tm);
  }
  return std::nullopt;
}

} // namespace http_server

// HTTP dates (RFC 9110 section 5.6.7): formatting and parsing.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace http_server {

/// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::time_t t);

/// Parses the three forms a recipient must accept (IMF-fixdate, RFC 850,
/// asctime); nullopt when the text is none of them.
std::optional<std::time_t> parse_http_date(std::string_view text);

} // namespace http_server

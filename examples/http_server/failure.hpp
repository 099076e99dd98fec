// Logging of connection failures.
#pragma once

#include <boost/system/error_code.hpp>

namespace http_server {

/// Prints "what: message" to stderr, except for the ordinary ends of a
/// connection (peer closed or reset it, timeout, server shutdown), which
/// a loaded server sees all the time.
void report_failure(boost::system::error_code ec, const char* what);

} // namespace http_server

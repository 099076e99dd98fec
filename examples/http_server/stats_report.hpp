// The server's counters as text: the body of /__stats and the SIGUSR1 print.
#pragma once

#include "server_context.hpp"

#include <string>

namespace http_server {

/// One "name value" pair per line: pool_available, pool_size, registered,
/// backend, mode, requests, sessions, responses, send_failures, direct_files. When the
/// server is idle pool_available equals pool_size (no lease leaked).
std::string stats_report(const server_context& ctx);

} // namespace http_server

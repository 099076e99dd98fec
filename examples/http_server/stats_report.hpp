// The server's counters as text: the body of /__stats and the SIGUSR1 print.
#pragma once

#include "server_context.hpp"

#include <string>

namespace http_server {

/// One "name value" pair per line: pool_available, pool_size, registered,
/// backend, mode, requests, sessions, responses, send_failures,
/// direct_files -- totals over every io_context -- then contexts (how many),
/// pool_attachment (one word per context: registered, cloned,
/// registered-again, unregistered; "-" without a pool), and per context,
/// space-separated in context order: context_connections (accepted onto
/// it, in all) and context_requests. When the server is idle pool_available
/// equals pool_size (no lease leaked).
std::string stats_report(const server_context& ctx);

} // namespace http_server

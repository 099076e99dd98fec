// What every connection of the server shares.
#pragma once

#include "document_root.hpp"
#include "server_options.hpp"

#include <asio_uring_fixed/fixed_buffer_pool.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace http_server {

/// Counters, updated with relaxed atomics from any thread.
struct server_stats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> sessions{0};      ///< connections open now
  std::atomic<std::uint64_t> responses{0};     ///< replies sent completely
  std::atomic<std::uint64_t> send_failures{0}; ///< replies cut short (peer gone, I/O error)
  std::atomic<std::uint64_t> direct_files{0};  ///< files opened with O_DIRECT
};

/// Lifetime: outlives the io_context (sessions destroyed with it still
/// count themselves out); the pool it points to does not.
struct server_context {
  server_context(server_options o) : options(std::move(o)), root(options.root) {}

  server_options options;
  document_root root;
  server_stats stats;
  /// The shared registered pool (read_mode::fixed only, else null).
  asio_uring_fixed::fixed_buffer_pool* pool = nullptr;
  std::string backend; ///< "io_uring" or "portable"
};

} // namespace http_server

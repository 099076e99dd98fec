// What every connection of the server shares, across all its io_contexts.
#pragma once

#include "document_root.hpp"
#include "server_options.hpp"

#include <asio_uring_fixed/fixed_buffer_pool.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace http_server {

/// Counters of one io_context (one thread).
struct context_stats {
  std::atomic<std::uint64_t> connections{0}; ///< accepted onto this context, in all
  std::atomic<std::uint64_t> requests{0};
};

/// Counters, updated with relaxed atomics from any thread; the totals are
/// the server's, whatever context the connection lives on.
struct server_stats {
  explicit server_stats(unsigned contexts) : per_context(contexts) {}

  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> sessions{0};      ///< connections open now
  std::atomic<std::uint64_t> responses{0};     ///< replies sent completely
  std::atomic<std::uint64_t> send_failures{0}; ///< replies cut short (peer gone, I/O error)
  std::atomic<std::uint64_t> direct_files{0};  ///< files opened with O_DIRECT
  std::vector<context_stats> per_context;      ///< one per io_context, never resized
};

/// Lifetime: outlives the io_contexts (sessions destroyed with them still
/// count themselves out); the pool it points to does not.
struct server_context {
  server_context(server_options o)
      : options(std::move(o)), root(options.root), stats(options.threads) {}

  server_options options;
  document_root root;
  server_stats stats;
  /// The registered pool shared by every io_context (read_mode::fixed only,
  /// else null).
  asio_uring_fixed::fixed_buffer_pool* pool = nullptr;
  std::string backend; ///< "io_uring" or "portable"
  /// How the pool reaches each context's ring ("registered", "cloned", ...),
  /// in context order; empty without a pool.
  std::vector<std::string> attachments;
};

} // namespace http_server

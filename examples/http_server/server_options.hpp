// Command-line options of uring-http-server.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <variant>

namespace http_server {

/// How file bodies are read before they go to the socket.
enum class read_mode {
  /// async_read_fixed_at into a lease of the shared registered pool, then the
  /// socket write from that same buffer (the library's way).
  fixed,
  /// pread(2) on the I/O thread into a per-connection buffer of the same size,
  /// then the socket write: what Beast's file_body does, with big chunks.
  sync_read,
  /// Stock Beast http::file_body (Boost 1.81: synchronous 4 KiB reads on the
  /// I/O thread). Range requests are served as in sync_read.
  file_body,
};

/// How accepted connections reach the io_contexts (one per thread).
enum class accept_mode {
  /// One acceptor, on the first context, hands each accepted socket to the
  /// contexts in turn: exact balance of long-lived connections, one
  /// cross-thread post per connection.
  round_robin,
  /// One SO_REUSEPORT acceptor per context: the kernel spreads connections
  /// by a hash of the 4-tuple, no hand-off; uneven with few connections.
  reuseport,
};

struct server_options {
  std::filesystem::path root;
  std::string address = "127.0.0.1";
  unsigned short port = 0; ///< 0: an ephemeral port, printed on stdout
  unsigned threads = 1;    ///< io_contexts, one thread each
  accept_mode accept = accept_mode::round_robin;
  std::size_t pool_buffers = 64;
  std::size_t buffer_size = 256 * 1024;
  /// Buffers one response may hold: the first is waited for (back-pressure),
  /// more are taken only when free, to read ahead while the socket drains.
  unsigned connection_buffers = 2;
  bool direct = false;          ///< O_DIRECT file reads (aligned blocks)
  bool register_buffers = true; ///< registration_mode::if_possible, else none
  read_mode mode = read_mode::fixed;
  std::chrono::seconds timeout{30}; ///< per socket read / write
};

/// Parses the command line. Returns the options, or the exit status when the
/// program should stop (after --help: 0; after a usage error, printed: 2).
std::variant<server_options, int> parse_options(int argc, char** argv);

const char* to_string(read_mode mode) noexcept;
const char* to_string(accept_mode mode) noexcept;

} // namespace http_server

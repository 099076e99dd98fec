// Command line of uring-http-server, with CLI11.
#include "server_options.hpp"

#include <CLI/CLI.hpp>

#include <map>

namespace http_server {

const char* to_string(read_mode mode) noexcept {
  switch (mode) {
  case read_mode::fixed:
    return "fixed";
  case read_mode::sync_read:
    return "sync-read";
  case read_mode::file_body:
    return "file-body";
  }
  return "?";
}

const char* to_string(accept_mode mode) noexcept {
  switch (mode) {
  case accept_mode::round_robin:
    return "round-robin";
  case accept_mode::reuseport:
    return "reuseport";
  }
  return "?";
}

std::variant<server_options, int> parse_options(int argc, char** argv) {
  server_options o;
  CLI::App app{"Serves the files below ROOT over HTTP/1.1 (GET, HEAD, ranges, keep-alive).\n"
               "File bodies go through a pool of io_uring registered buffers shared by all\n"
               "connections: read into a buffer, written to the socket from the same buffer.",
               "uring-http-server"};
  app.add_option("root", o.root, "Folder to serve")->required()->check(CLI::ExistingDirectory);
  app.add_option("--address", o.address, "Address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "Port; 0 picks a free one (printed as 'listening on ADDR:PORT')")
      ->capture_default_str();
  app.add_option("--threads", o.threads,
                 "Threads, each running its own io_context (its own ring); the pool is shared")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  std::map<std::string, accept_mode> accepts{{"round-robin", accept_mode::round_robin},
                                             {"reuseport", accept_mode::reuseport}};
  app.add_option("--accept", o.accept,
                 "With several threads: round-robin (one acceptor hands connections to the "
                 "contexts in turn) or reuseport (an SO_REUSEPORT acceptor per context)")
      ->transform(CLI::CheckedTransformer(accepts, CLI::ignore_case));
  app.add_option("--pool-buffers", o.pool_buffers, "Buffers in the pool (one pool for all threads)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16384}))
      ->capture_default_str();
  app.add_option("--buffer-size", o.buffer_size,
                 "Bytes per buffer (K/M suffixes allowed); with --direct a multiple of 4096")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--connection-buffers", o.connection_buffers,
                 "Buffers one response may hold (read-ahead); the first is waited for, "
                 "others taken only when free")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_flag("--direct", o.direct,
               "Read files with O_DIRECT (aligned blocks; files on filesystems without "
               "O_DIRECT are read buffered)");
  app.add_flag("!--no-register", o.register_buffers,
               "Do not register the pool (plain READ instead of READ_FIXED), to compare");
  std::map<std::string, read_mode> modes{{"fixed", read_mode::fixed},
                                         {"sync-read", read_mode::sync_read},
                                         {"file-body", read_mode::file_body}};
  app.add_option("--mode", o.mode,
                 "How bodies are read: fixed (this library), sync-read (pread on the I/O "
                 "thread), file-body (Beast's http::file_body)")
      ->transform(CLI::CheckedTransformer(modes, CLI::ignore_case));
  long timeout = o.timeout.count();
  app.add_option("--timeout", timeout, "Seconds a socket read or write may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  o.timeout = std::chrono::seconds(timeout);
  if (o.direct && o.buffer_size % 4096 != 0) {
    std::fprintf(stderr, "uring-http-server: --direct needs --buffer-size a multiple of 4096\n");
    return 2;
  }
  if (o.direct && o.mode == read_mode::file_body) {
    std::fprintf(stderr, "uring-http-server: --direct cannot be used with --mode=file-body\n");
    return 2;
  }
  return o;
}

} // namespace http_server

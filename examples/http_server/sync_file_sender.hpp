// The baseline: a file range read with pread(2) on the I/O thread.
#pragma once

#include "chunk_plan.hpp"
#include "reply.hpp"

#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace http_server {

/// Sends a body the way Beast's file_body does -- a synchronous read on the
/// thread running the io_context, then an asynchronous socket write, one
/// chunk at a time -- but with chunks as large as the pool's buffers, into
/// one buffer per connection (file_body uses 4 KiB). The control for the
/// fixed-buffer sender: same chunking, same writes, only the reads differ.
/// The thread blocks during each read, which is what the comparison is for.
///
/// Completion as fixed_file_sender: done(ec) once, on the stream's executor.
class sync_file_sender : public std::enable_shared_from_this<sync_file_sender> {
 public:
  using done_handler = std::function<void(boost::system::error_code)>;

  /// buffer: page-aligned (O_DIRECT), a multiple of the alignment in size;
  /// must outlive the sender.
  sync_file_sender(boost::beast::tcp_stream& stream, std::span<std::byte> buffer,
                   std::string header, file_source source, std::chrono::seconds timeout,
                   done_handler done);

  void start() { step(); }

 private:
  void step();
  void on_write(boost::system::error_code ec, std::size_t n);
  void finish(boost::system::error_code ec);

  boost::beast::tcp_stream& stream_;
  std::span<std::byte> buffer_;
  std::string header_;
  file_source source_;
  std::uint64_t end_;
  std::uint64_t pos_;
  chunk_plan current_;
  bool header_sent_ = false;
  std::chrono::seconds timeout_;
  done_handler done_;
};

} // namespace http_server

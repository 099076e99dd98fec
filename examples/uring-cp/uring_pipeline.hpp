// uring_pipeline: the fixed and plain methods. One fixed_buffer_pool feeds
// every file: blocks of all open files are issued as linked READ_FIXED ->
// WRITE_FIXED steps (async_copy_fixed_at) while buffers are free, and
// pool.async_acquire waits for the next free one when none is (back-pressure:
// the pool size is the queue depth). Files are opened ahead, so a tree of
// small files has many files in flight, not one at a time.
//
// Setting a file up goes through the ring too, many files at once: the
// source is opened (async_openat) and stat'ed (async_statx), the temporary
// created (async_openat, O_TMPFILE or O_CREAT | O_EXCL). What io_uring has
// no operation for (fchown, fchmod, futimens, listxattr), and the steps
// after the data (the source check, attributes, link or rename into place,
// closing), run as one finalize step per file on the worker pool. So the
// io_context's thread, which runs everything else here, makes no blocking
// system call per file but the flock of a named temporary (and the
// occasional openat of a directory not in the descriptor cache); a file
// larger than one block also gets its readahead advice there, and with
// --direct its fcntl(O_DIRECT) and fallocate (finish_pair).
#pragma once

#include "copy_plan.hpp"
#include "run_context.hpp"

#include "failure.hpp"

#include <asio_uring_fixed/copy_options.hpp>
#include <asio_uring_fixed/file.hpp>
#include <asio_uring_fixed/fixed_buffer_pool.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <vector>

namespace uring_cp {

class uring_pipeline {
 public:
  /// Blocks are the pool's buffer size. At most max_open_files files are open
  /// at once (each holds two descriptors).
  uring_pipeline(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                 asio_uring_fixed::fixed_buffer_pool& pool, std::size_t max_open_files,
                 run_context& ctx);
  uring_pipeline(const uring_pipeline&) = delete;
  uring_pipeline& operator=(const uring_pipeline&) = delete;
  ~uring_pipeline();

  /// Copies every file; posts done to io when all have finished (or, after
  /// stop(), have been abandoned with their temporaries removed).
  void start(std::vector<const copy_item*> files, std::function<void()> done);

  /// Called once ctx.stopping is set: nothing new is issued; files with no
  /// I/O in flight are abandoned now, the others as their I/O completes.
  void stop();

  /// Blocks completed, and the most files that were open at once (for -v).
  std::uint64_t blocks_done() const noexcept { return blocks_done_; }
  std::size_t most_files_open() const noexcept { return most_open_; }

 private:
  struct block {
    std::uint64_t offset;
    std::uint64_t length;
  };
  struct open_file;

  void pump();
  open_file* next_issuable();
  void open_next();
  void stat_source(open_file& f);
  void create_destination(open_file& f);
  void on_created(open_file& f, const asio_uring_fixed::error_code& ec, asio_uring_fixed::file file,
                  std::string name, bool anonymous);
  void abandon_setup(open_file& f, std::optional<failure> why);
  bool has_block(open_file& f);
  block take_block(open_file& f);
  void issue(open_file& f, asio_uring_fixed::fixed_buffer buffer);
  void issue_tail(open_file& f, block b, asio_uring_fixed::fixed_buffer buffer);
  void on_block_done(open_file& f, block b, const asio_uring_fixed::error_code& ec, std::size_t n,
                     bool tail, asio_uring_fixed::copy_side failed);
  void wait_for_buffer();
  void set_error(open_file& f, struct failure failure);
  void unqueue(open_file& f);
  void maybe_finish(open_file& f);
  void finalize(open_file& f);
  void file_done(open_file& f, bool committed);
  void maybe_done();

  boost::asio::io_context& io_;
  boost::asio::thread_pool& workers_;
  asio_uring_fixed::fixed_buffer_pool& pool_;
  run_context& ctx_;
  const std::size_t block_size_;
  const std::size_t max_open_;

  std::vector<const copy_item*> items_;
  std::size_t next_item_ = 0;
  std::function<void()> done_;

  std::list<open_file> open_;    ///< every open file (owner)
  std::deque<open_file*> ready_; ///< open files that have blocks left to issue
  std::size_t finalizing_ = 0;   ///< finalize steps on the worker pool
  bool acquire_pending_ = false;
  bool done_posted_ = false;
  std::uint64_t blocks_done_ = 0;
  std::size_t most_open_ = 0;
};

} // namespace uring_cp

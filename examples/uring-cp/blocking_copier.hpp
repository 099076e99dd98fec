// blocking_copier: the posix and kernel methods. Each worker thread takes
// the next file, copies it start to finish with blocking calls, finalizes it
// and takes another, so small files are copied several at a time.
#pragma once

#include "copy_method.hpp"
#include "copy_plan.hpp"
#include "run_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace uring_cp {

class blocking_copier {
 public:
  /// method is copy_method::posix or copy_method::kernel. Work runs on
  /// workers (threads of `threads`); `done` is posted to io.
  blocking_copier(boost::asio::io_context& io, boost::asio::thread_pool& workers, unsigned threads,
                  run_context& ctx, copy_method method);

  /// Copies every file; calls done on io once all have finished or, after a
  /// stop request, have been abandoned (temporaries removed).
  void start(std::vector<const copy_item*> files, std::function<void()> done);

  /// How the kernel method went (for -v): files reflinked, copied with
  /// copy_file_range, and copied with pread/pwrite because it was refused.
  std::string kernel_summary() const;

 private:
  void work();
  void copy_one(const copy_item& item, std::span<std::byte> buffer);

  boost::asio::io_context& io_;
  boost::asio::thread_pool& workers_;
  unsigned threads_;
  run_context& ctx_;
  copy_method method_;
  std::vector<const copy_item*> files_;
  std::function<void()> done_;
  std::atomic<std::size_t> next_{0};
  std::atomic<unsigned> running_{0};
  std::atomic<std::uint64_t> reflinked_{0}, kernel_copied_{0}, fallen_back_{0};
};

} // namespace uring_cp

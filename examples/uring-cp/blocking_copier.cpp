#include "blocking_copier.hpp"

#include "finalize.hpp"
#include "kernel_copy.hpp"
#include "posix_copy.hpp"
#include "text.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace uring_cp {
namespace {

struct free_deleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

} // namespace

blocking_copier::blocking_copier(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                                 unsigned threads, run_context& ctx, copy_method method)
    : io_(io), workers_(workers), threads_(threads ? threads : 1), ctx_(ctx), method_(method) {}

void blocking_copier::start(std::vector<const copy_item*> files, std::function<void()> done) {
  files_ = std::move(files);
  done_ = std::move(done);
  unsigned n = static_cast<unsigned>(std::min<std::size_t>(threads_, files_.size()));
  if (n == 0) {
    boost::asio::post(io_, done_);
    return;
  }
  running_ = n;
  for (unsigned i = 0; i < n; ++i)
    boost::asio::post(workers_, [this] { work(); });
}

void blocking_copier::work() {
  // One aligned block buffer per worker (pread/pwrite, O_DIRECT capable).
  const std::size_t size = ctx_.opts.block_size;
  std::unique_ptr<std::byte, free_deleter> buffer(
      static_cast<std::byte*>(std::aligned_alloc(4096, (size + 4095) / 4096 * 4096)));
  if (!buffer) {
    ctx_.out.error("out of memory for the copy buffer");
  } else {
    for (;;) {
      std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= files_.size() || ctx_.stop_requested())
        break;
      copy_one(*files_[i], {buffer.get(), size});
    }
  }
  if (running_.fetch_sub(1) == 1)
    boost::asio::post(io_, done_);
}

void blocking_copier::copy_one(const copy_item& item, std::span<std::byte> buffer) {
  file_pair pair;
  bool want_direct = ctx_.opts.direct && method_ == copy_method::posix;
  if (auto f = open_pair(item, want_direct, ctx_.opts.block_size, ctx_, pair)) {
    ctx_.out.error(f->message);
    ctx_.progress.file_done(false);
    return;
  }
  std::uint64_t end_of_data = pair.size;
  std::optional<failure> error;
  bool use_posix = method_ == copy_method::posix;
  if (method_ == copy_method::kernel) {
    int refusal = 0;
    switch (kernel_copy(item, pair, ctx_, end_of_data, error, refusal)) {
    case kernel_outcome::reflinked:
      ++reflinked_;
      break;
    case kernel_outcome::copied:
      ++kernel_copied_;
      break;
    case kernel_outcome::refused:
      ++fallen_back_;
      use_posix = true;
      if (ctx_.opts.verbose && !ctx_.noted_kernel_fallback.exchange(true))
        ctx_.out.line(fmt::format("copy_file_range refused for {} ({}): using pread/pwrite "
                                  "where the kernel cannot copy",
                                  quote(item.source), std::strerror(refusal)));
      break;
    }
  }
  if (use_posix)
    error = posix_copy(item, pair, buffer, ctx_, end_of_data);
  if (error) {
    if (!error->interrupted)
      ctx_.out.error(error->message);
    ctx_.progress.file_done(false);
    return; // pair's destructor removes the temporary
  }
  finalize_result r = finalize_file(item, pair, std::min(pair.size, end_of_data), ctx_);
  if (r.error && !r.error->interrupted)
    ctx_.out.error(r.error->message);
  if (r.committed && ctx_.opts.verbose)
    ctx_.out.line(fmt::format("{} -> {}", quote(item.source), quote(item.destination)));
  ctx_.progress.file_done(r.committed);
}

std::string blocking_copier::kernel_summary() const {
  return fmt::format("{} reflinked, {} by copy_file_range, {} by pread/pwrite (refused)",
                     reflinked_.load(), kernel_copied_.load(), fallen_back_.load());
}

} // namespace uring_cp

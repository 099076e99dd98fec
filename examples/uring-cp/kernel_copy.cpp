#include "kernel_copy.hpp"

#include "extents.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

namespace uring_cp {
namespace {

/// Bytes per copy_file_range call: 64 blocks (64 MiB by default), at least
/// 1 MiB: large enough to cost nothing, small enough that progress moves and
/// a signal is noticed quickly.
std::uint64_t chunk_size(std::size_t block_size) {
  return std::clamp<std::uint64_t>(std::uint64_t{64} * block_size, std::uint64_t{1} << 20,
                                   std::uint64_t{1} << 30);
}

bool is_refusal(int err) {
  return err == EXDEV || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL || err == EBADF;
}

/// Pairs of filesystems (source, destination) where FICLONE was refused:
/// it is not tried again between them (one failing ioctl per file saved).
class reflink_refusals {
 public:
  bool contains(dev_t from, dev_t to) {
    std::lock_guard lock(mutex_);
    return std::find(pairs_.begin(), pairs_.end(), std::pair{from, to}) != pairs_.end();
  }
  void add(dev_t from, dev_t to) {
    std::lock_guard lock(mutex_);
    if (std::find(pairs_.begin(), pairs_.end(), std::pair{from, to}) == pairs_.end())
      pairs_.emplace_back(from, to);
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<dev_t, dev_t>> pairs_;
};

reflink_refusals& refused_reflinks() {
  static reflink_refusals r;
  return r;
}

} // namespace

kernel_outcome kernel_copy(const copy_item& item, file_pair& pair, run_context& ctx,
                           std::uint64_t& end_of_data, std::optional<failure>& error,
                           int& refusal) {
  const int in = pair.source.native_handle();
  const int out = pair.destination.fd();
  end_of_data = pair.size;
  if (ctx.opts.reflink == reflink_mode::always) {
    if (::ioctl(out, FICLONE, in) == 0) {
      ctx.progress.add_bytes(pair.size);
      return kernel_outcome::reflinked;
    }
    error = failure{fmt::format("failed to clone {} from {}: {}", quote(item.destination),
                                quote(item.source), std::strerror(errno))};
    return kernel_outcome::copied;
  }
  if (pair.size == 0)
    return kernel_outcome::copied;
  const creation_facts& facts = item.destination_at.dir->facts();
  const dev_t from = item.source_stat.st_dev;
  if (!facts.known || !refused_reflinks().contains(from, facts.device)) {
    if (::ioctl(out, FICLONE, in) == 0) {
      ctx.progress.add_bytes(pair.size);
      return kernel_outcome::reflinked;
    }
    if (facts.known &&
        (errno == EOPNOTSUPP || errno == ENOTTY || errno == EXDEV || errno == EINVAL))
      refused_reflinks().add(from, facts.device);
  }
  extent_cursor regions(in, pair.size, pair.sparse, 0);
  std::uint64_t begin = 0, end = 0;
  std::error_code ec;
  bool any = false;
  const std::uint64_t chunk = chunk_size(ctx.opts.block_size);
  while (regions.next(begin, end, ec)) {
    loff_t in_offset = static_cast<loff_t>(begin), out_offset = static_cast<loff_t>(begin);
    while (static_cast<std::uint64_t>(in_offset) < end) {
      if (ctx.stop_requested()) {
        error = interrupted();
        return kernel_outcome::copied;
      }
      std::size_t want =
          static_cast<std::size_t>(std::min(chunk, end - static_cast<std::uint64_t>(in_offset)));
      ssize_t n = ::copy_file_range(in, &in_offset, out, &out_offset, want, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        if (!any && is_refusal(errno)) {
          refusal = errno;
          return kernel_outcome::refused;
        }
        error = copy_failure(item,
                             asio_uring_fixed::error_code(errno, boost::system::system_category()));
        return kernel_outcome::copied;
      }
      if (n == 0) { // the source ended early
        end_of_data = std::min<std::uint64_t>(end_of_data, static_cast<std::uint64_t>(in_offset));
        return kernel_outcome::copied;
      }
      any = true;
      ctx.progress.add_bytes(static_cast<std::uint64_t>(n));
    }
  }
  if (ec)
    error = path_failure("cannot find the data regions of", item.source, ec);
  return kernel_outcome::copied;
}

} // namespace uring_cp

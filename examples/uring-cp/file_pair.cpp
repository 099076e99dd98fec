#include "file_pair.hpp"

#include "attributes.hpp"
#include "extents.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

namespace uring_cp {
namespace {

bool set_direct(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0)
    return false;
  flags = on ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
  return ::fcntl(fd, F_SETFL, flags) == 0;
}

/// Turns on O_DIRECT for both sides, or explains why not.
std::size_t enable_direct(const copy_item& item, std::size_t block_size, file_pair& p,
                          std::string& why_not) {
  std::size_t a = p.source.direct_alignment();
  std::size_t b = p.destination.file().direct_alignment();
  if (a == 0 || b == 0) {
    why_not = "the filesystem does not support O_DIRECT";
    return 0;
  }
  std::size_t alignment = std::max(a, b);
  if (block_size % alignment != 0 || alignment > 4096) {
    why_not = fmt::format("O_DIRECT needs {}-byte alignment", alignment);
    return 0;
  }
  if (!set_direct(p.source.native_handle(), true)) {
    why_not = fmt::format("O_DIRECT refused on {}", quote(item.source));
    return 0;
  }
  if (!set_direct(p.destination.fd(), true)) {
    set_direct(p.source.native_handle(), false);
    why_not = fmt::format("O_DIRECT refused on {}", quote(item.destination));
    return 0;
  }
  return alignment;
}

} // namespace

std::optional<failure> adopt_source(const copy_item& item, asio_uring_fixed::file source,
                                    const source_facts& facts, run_context& ctx, file_pair& out) {
  out.source = std::move(source);
  if (!S_ISREG(facts.mode))
    return failure{fmt::format("cannot copy {}: no longer a regular file", quote(item.source))};
  out.size = facts.size;
  out.mtime = facts.mtime;
  out.sparse =
      ctx.opts.sparse == sparse_mode::always ||
      (ctx.opts.sparse == sparse_mode::automatic && may_have_holes(out.size, facts.blocks));
  out.make_holes = ctx.opts.sparse == sparse_mode::always;
  return std::nullopt;
}

destination_plan plan_destination(const copy_item& item, const file_pair& pair,
                                  std::size_t block_size, const run_context& ctx) {
  // A new file that one block holds, on tmpfs: an anonymous temporary (see
  // temp_file.hpp), one directory operation instead of two. Not on disk
  // filesystems, which journal an O_TMPFILE inode on their orphan list and
  // take it off again at the link: /usr/include to ext4, cold, took 2.4 s
  // that way against 1.9 s with named temporaries.
  const creation_facts& facts = item.destination_at.dir->facts();
  return {!item.existing && pair.size <= block_size && facts.known && facts.in_memory,
          creation_mode(item, ctx.opts.keep, ctx.umask)};
}

std::optional<failure> finish_pair(const copy_item& item, bool want_direct, std::size_t block_size,
                                   run_context& ctx, file_pair& out) {
  out.alignment = 0;
  // Buffered reads go front to back: ask for the larger readahead window
  // (as cp does); it matters when the source is not cached, and not for a
  // file that one block holds.
  if (!want_direct && out.size > block_size)
    ::posix_fadvise(out.source.native_handle(), 0, 0, POSIX_FADV_SEQUENTIAL);
  if (want_direct && out.size > 0) {
    std::string why_not;
    out.alignment = enable_direct(item, block_size, out, why_not);
    if (!out.alignment && !ctx.noted_buffered_fallback.exchange(true))
      ctx.out.warning(
          fmt::format("{}: copying {} (and others like it) buffered", why_not, quote(item.source)));
    if (out.alignment)
      ctx.progress.direct_files.fetch_add(1, std::memory_order_relaxed);
    if (out.alignment && !out.sparse)
      return preallocate(item, out, 0, round_up(out.size, out.alignment));
  }
  return std::nullopt;
}

std::optional<failure> open_pair(const copy_item& item, bool want_direct, std::size_t block_size,
                                 run_context& ctx, file_pair& out) {
  std::error_code dir_ec;
  dir_ref source_dir = item.source_at.dir->open(dir_ec);
  if (!source_dir)
    return path_failure("cannot open", item.source, dir_ec);
  int source_fd = ::openat(source_dir.fd(), item.source_at.name.c_str(), O_RDONLY | O_CLOEXEC);
  if (source_fd < 0)
    return path_failure("cannot open", item.source, errno);
  asio_uring_fixed::file source(source_fd);
  source_dir.reset();
  struct stat st {};
  if (::fstat(source.native_handle(), &st) != 0)
    return path_failure("cannot stat", item.source, errno);
  source_facts facts{st.st_mode, static_cast<std::uint64_t>(st.st_size),
                     static_cast<std::uint64_t>(st.st_blocks), st.st_mtim};
  if (auto f = adopt_source(item, std::move(source), facts, ctx, out))
    return f;

  destination_plan plan = plan_destination(item, out, block_size, ctx);
  std::error_code create_ec;
  out.destination = temp_file::create(*item.destination_at.dir, item.destination_at.name, plan.mode,
                                      plan.anonymous, create_ec);
  if (create_ec)
    return path_failure("cannot create regular file", item.destination, create_ec);
  return finish_pair(item, want_direct, block_size, ctx, out);
}

std::optional<failure> preallocate(const copy_item& item, file_pair& pair, std::uint64_t begin,
                                   std::uint64_t end) {
  if (end <= begin)
    return std::nullopt;
  asio_uring_fixed::error_code ec;
  pair.destination.file().allocate(begin, end - begin, ec);
  if (ec && ec.value() != EOPNOTSUPP && ec.value() != ENOSYS)
    return path_failure("cannot allocate space for", item.destination, ec);
  return std::nullopt;
}

std::optional<failure> source_changed(const copy_item& item, const file_pair& pair,
                                      std::uint64_t end_of_data) {
  struct stat st {};
  if (::fstat(pair.source.native_handle(), &st) != 0)
    return path_failure("cannot stat", item.source, errno);
  auto now = static_cast<std::uint64_t>(st.st_size);
  bool changed = end_of_data < pair.size || now != pair.size ||
                 st.st_mtim.tv_sec != pair.mtime.tv_sec || st.st_mtim.tv_nsec != pair.mtime.tv_nsec;
  if (!changed)
    return std::nullopt;
  return failure{fmt::format("cannot copy {}: source changed during copy ({} bytes when opened, "
                             "{} now); not copied",
                             quote(item.source), pair.size, now)};
}

failure copy_failure(const copy_item& item, const asio_uring_fixed::error_code& ec,
                     asio_uring_fixed::copy_side failed) {
  int e = ec.category() == boost::system::system_category() ? ec.value() : 0;
  if (failed == asio_uring_fixed::copy_side::read)
    return path_failure("error reading", item.source, ec);
  if (failed == asio_uring_fixed::copy_side::write || e == ENOSPC || e == EDQUOT || e == EFBIG)
    return path_failure("error writing", item.destination, ec);
  return failure{fmt::format("error copying {} to {}: {}", quote(item.source),
                             quote(item.destination), ec.message())};
}

} // namespace uring_cp

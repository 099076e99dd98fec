#include "posix_copy.hpp"

#include "extents.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace uring_cp {
namespace {

/// --sparse=always leaves a hole for each such block of zeros.
constexpr std::size_t hole_unit = 4096;

bool all_zero(const std::byte* p, std::size_t n) {
  return n == 0 || (p[0] == std::byte{0} && std::memcmp(p, p + 1, n - 1) == 0);
}

std::optional<failure> write_all(const copy_item& item, int out, std::span<const std::byte> data,
                                 std::uint64_t offset) {
  for (std::size_t written = 0; written < data.size();) {
    ssize_t n = ::pwrite(out, data.data() + written, data.size() - written,
                         static_cast<off_t>(offset + written));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return path_failure("error writing", item.destination, n < 0 ? errno : EIO);
    written += static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

/// Writes block at offset; with make_holes, only its runs of hole_unit
/// pieces that are not all zeros (offset is a multiple of hole_unit, the
/// destination new: what is not written stays a hole).
std::optional<failure> write_block(const copy_item& item, int out, std::span<const std::byte> block,
                                   std::uint64_t offset, bool make_holes) {
  if (!make_holes)
    return write_all(item, out, block, offset);
  std::size_t run = 0; // start of the current run of data
  bool in_data = false;
  for (std::size_t at = 0; at < block.size(); at += hole_unit) {
    std::size_t n = std::min(hole_unit, block.size() - at);
    bool zero = all_zero(block.data() + at, n);
    if (!zero && !in_data) {
      run = at;
      in_data = true;
    } else if (zero && in_data) {
      if (auto f = write_all(item, out, block.subspan(run, at - run), offset + run))
        return f;
      in_data = false;
    }
  }
  if (in_data)
    return write_all(item, out, block.subspan(run), offset + run);
  return std::nullopt;
}

} // namespace

std::optional<failure> posix_copy(const copy_item& item, file_pair& pair,
                                  std::span<std::byte> buffer, run_context& ctx,
                                  std::uint64_t& end_of_data) {
  const int in = pair.source.native_handle();
  const int out = pair.destination.fd();
  const std::size_t alignment = pair.alignment;
  end_of_data = pair.size;
  extent_cursor regions(in, pair.size, pair.sparse, alignment);
  std::uint64_t begin = 0, end = 0;
  std::error_code ec;
  while (regions.next(begin, end, ec)) {
    if (alignment && pair.sparse && !pair.make_holes)
      if (auto f = preallocate(item, pair, begin, end))
        return f;
    for (std::uint64_t offset = begin; offset < end;) {
      if (ctx.stop_requested())
        return interrupted();
      std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - offset));
      std::size_t got = 0;
      while (got < want) {
        ssize_t n = ::pread(in, buffer.data() + got, want - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0)
          return path_failure("error reading", item.source, errno);
        if (n == 0)
          break;
        got += static_cast<std::size_t>(n);
        if (alignment && got % alignment != 0)
          break; // O_DIRECT: a short read is the end of the file
      }
      if (got == 0) {
        end_of_data = std::min(end_of_data, offset);
        return std::nullopt;
      }
      std::size_t length = got;
      if (alignment) {
        length = static_cast<std::size_t>(round_up(got, alignment));
        std::memset(buffer.data() + got, 0, length - got);
      }
      if (auto f = write_block(item, out, buffer.first(length), offset, pair.make_holes))
        return f;
      ctx.progress.add_bytes(got);
      if (got < want) { // the source ended early
        end_of_data = std::min(end_of_data, offset + got);
        return std::nullopt;
      }
      offset += got;
    }
  }
  if (ec)
    return path_failure("cannot find the data regions of", item.source, ec);
  return std::nullopt;
}

} // namespace uring_cp

// extent_cursor: the data regions of a file, found with SEEK_DATA/SEEK_HOLE,
// so that holes are skipped and stay holes in the copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

namespace uring_cp {

/// Rounds n up / down to a multiple of a > 0.
constexpr std::uint64_t round_up(std::uint64_t n, std::uint64_t a) {
  return (n + a - 1) / a * a;
}
constexpr std::uint64_t round_down(std::uint64_t n, std::uint64_t a) {
  return n / a * a;
}

/// True when the file has fewer blocks allocated than its size needs: it may
/// have holes, so its regions are worth looking up one by one.
bool may_have_holes(std::uint64_t size, std::uint64_t allocated_blocks_512);

class extent_cursor {
 public:
  extent_cursor() = default;

  /// Regions of the first `size` bytes of fd. With alignment > 0 (O_DIRECT)
  /// regions are widened to multiples of it, up to round_up(size, alignment):
  /// the last one then reaches past the end of the file, and reading it
  /// returns short.
  extent_cursor(int fd, std::uint64_t size, bool sparse, std::size_t alignment) noexcept
      : fd_(fd), size_(size), sparse_(sparse), alignment_(alignment) {}

  /// The next region [begin, end), in increasing order. Returns false at the
  /// end, or with ec set when lseek fails.
  bool next(std::uint64_t& begin, std::uint64_t& end, std::error_code& ec) noexcept;

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
  bool sparse_ = false;
  std::size_t alignment_ = 0;
};

} // namespace uring_cp

#include "extents.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace uring_cp {

bool may_have_holes(std::uint64_t size, std::uint64_t allocated_blocks_512) {
  return allocated_blocks_512 * 512 < size;
}

bool extent_cursor::next(std::uint64_t& begin, std::uint64_t& end, std::error_code& ec) noexcept {
  ec.clear();
  std::uint64_t limit = alignment_ ? round_up(size_, alignment_) : size_;
  while (position_ < size_) {
    std::uint64_t data = position_, hole = size_;
    if (sparse_) {
      off_t d = ::lseek(fd_, static_cast<off_t>(position_), SEEK_DATA);
      if (d < 0) {
        if (errno == ENXIO) { // nothing but a hole up to the end
          position_ = size_;
          return false;
        }
        ec.assign(errno, std::system_category());
        return false;
      }
      off_t h = ::lseek(fd_, d, SEEK_HOLE);
      if (h < 0) {
        ec.assign(errno, std::system_category());
        return false;
      }
      data = static_cast<std::uint64_t>(d);
      hole = std::min<std::uint64_t>(static_cast<std::uint64_t>(h), size_);
      if (data >= size_)
        break;
    }
    if (alignment_) {
      data = std::max(round_down(data, alignment_), position_);
      hole = std::min(round_up(hole, alignment_), limit);
    }
    position_ = std::max(hole, position_ + 1);
    if (hole > data) {
      begin = data;
      end = hole;
      return true;
    }
  }
  position_ = size_;
  return false;
}

} // namespace uring_cp

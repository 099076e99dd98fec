// How a body range is cut into buffer-sized reads, aligned for O_DIRECT.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace http_server {

/// One read: the kernel is asked for [read_at, read_at + read_length), and
/// the bytes [skip, skip + length) of the buffer are sent.
struct chunk_plan {
  std::uint64_t read_at = 0;   ///< a multiple of the alignment
  std::size_t read_length = 0; ///< a multiple of the alignment, <= capacity
  std::size_t skip = 0;        ///< bytes read only to keep O_DIRECT aligned
  std::size_t length = 0;      ///< bytes of the body in this chunk, > 0
  bool past_eof = false;       ///< the read extends past the end of the file
  std::uint64_t next = 0;      ///< body position after this chunk
};

/// The chunk holding body position pos (< end). alignment is 1 for page
/// cache reads; capacity (the buffer size) is a multiple of it.
inline chunk_plan plan_chunk(std::uint64_t pos, std::uint64_t end, std::uint64_t file_size,
                             std::size_t alignment, std::size_t capacity) {
  chunk_plan c;
  c.read_at = pos - pos % alignment;
  const std::uint64_t want_end = std::min<std::uint64_t>(end, c.read_at + capacity);
  const std::uint64_t span = want_end - c.read_at;
  c.read_length = static_cast<std::size_t>((span + alignment - 1) / alignment * alignment);
  c.skip = static_cast<std::size_t>(pos - c.read_at);
  c.length = static_cast<std::size_t>(want_end - pos);
  c.past_eof = c.read_at + c.read_length > file_size;
  c.next = want_end;
  return c;
}

} // namespace http_server

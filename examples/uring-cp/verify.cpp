#include "verify.hpp"

#include "text.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

namespace uring_cp {
namespace {

constexpr std::size_t chunk = std::size_t{1} << 20;

struct state_deleter {
  void operator()(XXH3_state_t* s) const noexcept { XXH3_freeState(s); }
};

void drop_direct(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_DIRECT))
    ::fcntl(fd, F_SETFL, flags & ~O_DIRECT);
}

/// XXH3-64 of [0, size) of fd; errno in err on a read error, EIO on an
/// unexpected end of file.
XXH64_hash_t hash_of(int fd, std::uint64_t size, std::vector<std::byte>& buffer, int& err,
                     const std::atomic<bool>& stopping) {
  std::unique_ptr<XXH3_state_t, state_deleter> state(XXH3_createState());
  XXH3_64bits_reset(state.get());
  std::uint64_t offset = 0;
  while (offset < size && !stopping.load(std::memory_order_relaxed)) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - offset));
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      return 0;
    }
    XXH3_64bits_update(state.get(), buffer.data(), static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return XXH3_64bits_digest(state.get());
}

} // namespace

std::optional<failure> verify_copy(const copy_item& item, file_pair& pair, std::uint64_t size,
                                   bool from_storage, const std::atomic<bool>& stopping) {
  int src = pair.source.native_handle();
  int dst = pair.destination.fd();
  drop_direct(src);
  drop_direct(dst);
  if (from_storage) {
    if (::fdatasync(dst) != 0)
      return path_failure("error syncing", item.destination, errno);
    ::posix_fadvise(src, 0, 0, POSIX_FADV_DONTNEED);
    ::posix_fadvise(dst, 0, 0, POSIX_FADV_DONTNEED);
  }
  ::posix_fadvise(src, 0, 0, POSIX_FADV_SEQUENTIAL);
  ::posix_fadvise(dst, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<std::byte> buffer(chunk);
  int err = 0;
  XXH64_hash_t a = hash_of(src, size, buffer, err, stopping);
  if (err)
    return path_failure("error reading (verify)", item.source, err);
  XXH64_hash_t b = hash_of(dst, size, buffer, err, stopping);
  if (err)
    return path_failure("error reading (verify)", item.destination, err);
  if (stopping.load(std::memory_order_relaxed))
    return interrupted();
  if (a != b)
    return failure{fmt::format("verification FAILED: {} and its copy {} differ (XXH3 {:016x} "
                               "!= {:016x}); the copy was not put in place",
                               quote(item.source), quote(item.destination), a, b)};
  return std::nullopt;
}

} // namespace uring_cp

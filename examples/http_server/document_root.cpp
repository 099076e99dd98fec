// openat2-based confinement to the document root, with a realpath fallback.
#include "document_root.hpp"

#include <asio_uring_fixed/file.hpp>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <system_error>

namespace http_server {

document_root::document_root(const std::filesystem::path& dir) {
  dir_fd_ = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "open " + dir.string());
  char* real = ::realpath(dir.c_str(), nullptr);
  if (!real) {
    int e = errno;
    ::close(dir_fd_);
    throw std::system_error(e, std::generic_category(), "realpath " + dir.string());
  }
  real_path_ = real;
  std::free(real);
}

document_root::~document_root() {
  if (dir_fd_ >= 0)
    ::close(dir_fd_);
}

int document_root::open_beneath(const std::string& relative, int flags) const {
  if (have_openat2_.load(std::memory_order_relaxed)) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd;
    do
      fd = ::syscall(SYS_openat2, dir_fd_, relative.c_str(), &how, sizeof how);
    while (fd < 0 && (errno == EINTR || errno == EAGAIN)); // EAGAIN: a rename raced
    if (fd >= 0 || errno != ENOSYS)
      return static_cast<int>(fd);
    have_openat2_.store(false, std::memory_order_relaxed);
  }
  // Fallback (kernel < 5.6 or a seccomp filter): resolve every symlink and
  // check the result is still below the root. A rename between the check
  // and the open could slip through; openat2 has no such window.
  std::string joined = real_path_ + "/" + relative;
  char resolved[PATH_MAX];
  if (!::realpath(joined.c_str(), resolved))
    return -1;
  std::string_view r(resolved);
  if (r.size() <= real_path_.size() || r.compare(0, real_path_.size(), real_path_) != 0 ||
      (real_path_ != "/" && r[real_path_.size()] != '/')) {
    errno = EXDEV;
    return -1;
  }
  int fd;
  do
    fd = ::open(resolved, flags | O_NOFOLLOW);
  while (fd < 0 && errno == EINTR);
  return fd;
}

opened_file document_root::open(const std::string& relative, bool direct,
                                std::size_t max_alignment) const {
  opened_file result;
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = open_beneath(relative, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  result.file = asio_uring_fixed::file(fd);
  if (::fstat(fd, &result.status) != 0) {
    result.error = errno;
    return result;
  }
  if (S_ISDIR(result.status.st_mode)) {
    result.error = EISDIR;
    return result;
  }
  if (!S_ISREG(result.status.st_mode)) {
    result.error = ENODEV;
    return result;
  }
  int flags = O_RDONLY;
  if (direct) {
    std::size_t align = result.file.direct_alignment();
    if (align != 0 && max_alignment % align == 0 && ::fcntl(fd, F_SETFL, O_DIRECT) == 0) {
      result.direct_alignment = align;
      return result;
    }
  }
  ::fcntl(fd, F_SETFL, flags); // clear O_NONBLOCK
  return result;
}

} // namespace http_server

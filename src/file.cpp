#include <asio_uring_fixed/file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace asio_uring_fixed {
namespace {

error_code last_error() {
  return error_code(errno, system_category());
}

int to_posix_flags(unsigned flags) {
  int f = O_CLOEXEC;
  if (flags & file::read_write)
    f |= O_RDWR;
  else if (flags & file::write_only)
    f |= O_WRONLY;
  else
    f |= O_RDONLY;
  if (flags & file::create)
    f |= O_CREAT;
  if (flags & file::exclusive)
    f |= O_EXCL;
  if (flags & file::truncate)
    f |= O_TRUNC;
  if (flags & file::direct)
    f |= O_DIRECT;
  if (flags & file::sync)
    f |= O_DSYNC;
  if (flags & file::no_follow)
    f |= O_NOFOLLOW;
  return f;
}

} // namespace

file::file(const std::filesystem::path& path, unsigned flags, unsigned mode) {
  error_code ec;
  open(path, flags, ec, mode);
  if (ec)
    throw system_error(ec, "open " + path.string());
}

file::file(file&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

file::~file() {
  close();
}

void file::open(const std::filesystem::path& path, unsigned flags, error_code& ec,
                unsigned mode) noexcept {
  close();
  int fd;
  do
    fd = ::open(path.c_str(), to_posix_flags(flags), mode);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    ec = last_error();
    return;
  }
  ec.clear();
  fd_ = fd;
}

int file::release() noexcept {
  return std::exchange(fd_, -1);
}

void file::close() noexcept {
  if (fd_ >= 0)
    ::close(std::exchange(fd_, -1));
}

std::uint64_t file::size(error_code& ec) const noexcept {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ec = last_error();
    return 0;
  }
  ec.clear();
  return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t file::size() const {
  error_code ec;
  auto n = size(ec);
  if (ec)
    throw system_error(ec, "fstat");
  return n;
}

void file::resize(std::uint64_t n, error_code& ec) noexcept {
  if (::ftruncate(fd_, static_cast<off_t>(n)) != 0)
    ec = last_error();
  else
    ec.clear();
}

void file::resize(std::uint64_t n) {
  error_code ec;
  resize(n, ec);
  if (ec)
    throw system_error(ec, "ftruncate");
}

void file::allocate(std::uint64_t offset, std::uint64_t length, error_code& ec) noexcept {
  int r = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(length));
  ec = r ? error_code(r, system_category()) : error_code();
}

std::size_t file::direct_alignment() const noexcept {
#ifdef STATX_DIOALIGN
  struct statx stx {};
  if (::statx(fd_, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
      (stx.stx_mask & STATX_DIOALIGN)) {
    if (stx.stx_dio_mem_align == 0)
      return 0; // O_DIRECT not supported for this file
    return std::max<std::size_t>(stx.stx_dio_mem_align, stx.stx_dio_offset_align);
  }
#endif
  return 512;
}

} // namespace asio_uring_fixed

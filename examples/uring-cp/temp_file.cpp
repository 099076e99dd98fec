#include "temp_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <random>
#include <utility>

namespace uring_cp {
namespace {

namespace fs = std::filesystem;

std::error_code last_error() {
  return {errno, std::system_category()};
}

std::uint64_t next_random() {
  // One seed per process, then a counter mixed in (splitmix64): unique
  // across threads without locking.
  static const std::uint64_t seed = std::random_device{}() * 0x9e3779b97f4a7c15ull;
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * ++counter;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

} // namespace

std::string temporary_name_part(std::string_view name) {
  return std::string(name.substr(0, temporary_name_max_part));
}

fs::path temporary_name(const fs::path& destination) {
  static constexpr char alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static const std::string pid = std::to_string(::getpid());
  std::uint64_t r = next_random();
  std::string suffix(temporary_name_suffix_length, 'x');
  for (char& c : suffix) {
    c = alphabet[r % 62];
    r /= 62;
  }
  std::string name = "." + temporary_name_part(destination.filename().native());
  name.append(temporary_name_marker).append(pid).append(".").append(suffix);
  return destination.parent_path() / name;
}

std::error_code move_into_place(const fs::path& from, const fs::path& to, bool no_replace,
                                bool durable) {
  int r = no_replace ? ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE)
                     : ::rename(from.c_str(), to.c_str());
  if (r != 0 && no_replace && errno == EINVAL) {
    // The filesystem lacks RENAME_NOREPLACE: check, then rename (racy, but
    // only against someone creating the destination in that instant).
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0)
      return std::make_error_code(std::errc::file_exists);
    r = ::rename(from.c_str(), to.c_str());
  }
  if (r != 0)
    return last_error();
  return durable ? sync_directory(to.parent_path()) : std::error_code();
}

std::error_code sync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return last_error();
  std::error_code ec;
  if (::fsync(fd) != 0)
    ec = last_error();
  ::close(fd);
  return ec;
}

temp_file temp_file::create(const fs::path& destination, unsigned mode, std::error_code& ec) {
  temp_file t;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = temporary_name(destination);
    int fd =
        ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd >= 0) {
      // Held until the descriptor is closed: tells remove_stale_temporaries
      // (in any process, any PID namespace) that this one is alive.
      ::flock(fd, LOCK_EX | LOCK_NB);
      t.file_ = asio_uring_fixed::file(fd);
      t.path_ = std::move(candidate);
      ec.clear();
      return t;
    }
    if (errno != EEXIST) {
      ec = last_error();
      return t;
    }
  }
  ec = std::make_error_code(std::errc::file_exists);
  return t;
}

temp_file::temp_file(temp_file&& other) noexcept
    : file_(std::move(other.file_)), path_(std::exchange(other.path_, {})) {}

temp_file& temp_file::operator=(temp_file&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::move(other.file_);
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

std::error_code temp_file::commit(const fs::path& destination, bool no_replace, bool durable) {
  std::error_code ec = move_into_place(path_, destination, no_replace, durable);
  // Once renamed, the temporary name is gone: nothing to discard, even when
  // only the directory fsync failed.
  if (!ec || ::access(path_.c_str(), F_OK) != 0) {
    path_.clear();
    file_.close();
  }
  return ec;
}

void temp_file::discard() noexcept {
  file_.close();
  if (!path_.empty()) {
    ::unlink(path_.c_str());
    path_.clear();
  }
}

} // namespace uring_cp

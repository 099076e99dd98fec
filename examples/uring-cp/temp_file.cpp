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

std::string temporary_name(std::string_view entry) {
  static constexpr char alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static const std::string pid = std::to_string(::getpid());
  std::uint64_t r = next_random();
  std::string suffix(temporary_name_suffix_length, 'x');
  for (char& c : suffix) {
    c = alphabet[r % 62];
    r /= 62;
  }
  std::string name(1, '.');
  name.append(temporary_name_part(entry))
      .append(temporary_name_marker)
      .append(pid)
      .append(".")
      .append(suffix);
  return name;
}

std::error_code move_into_place(int dir_fd, const std::string& from, const std::string& to,
                                bool no_replace, bool durable) {
  int r = no_replace ? ::renameat2(dir_fd, from.c_str(), dir_fd, to.c_str(), RENAME_NOREPLACE)
                     : ::renameat(dir_fd, from.c_str(), dir_fd, to.c_str());
  if (r != 0 && no_replace && errno == EINVAL) {
    // The filesystem lacks RENAME_NOREPLACE: check, then rename (racy, but
    // only against someone creating the destination in that instant).
    struct stat st {};
    if (::fstatat(dir_fd, to.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
      return std::make_error_code(std::errc::file_exists);
    r = ::renameat(dir_fd, from.c_str(), dir_fd, to.c_str());
  }
  if (r != 0)
    return last_error();
  return durable ? sync_directory(dir_fd) : std::error_code();
}

std::error_code sync_directory(int dir_fd) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return last_error();
  std::error_code ec;
  if (::fsync(fd) != 0)
    ec = last_error();
  ::close(fd);
  return ec;
}

namespace {

/// Set once a filesystem refused O_TMPFILE: named temporaries from then on.
std::atomic<bool> tmpfile_refused{false};

bool is_tmpfile_refusal(int err) {
  return err == EOPNOTSUPP || err == EISDIR || err == EINVAL;
}

/// How an anonymous file gets a name: linkat(fd, "", AT_EMPTY_PATH) needs
/// CAP_DAC_READ_SEARCH (ENOENT without it); /proc/self/fd/N with
/// AT_SYMLINK_FOLLOW needs only /proc. 0 until one of them has worked.
std::atomic<int> link_way{0};
constexpr int link_by_empty_path = 1, link_by_proc = 2;

int link_anonymous(int fd, int dir_fd, const char* name) {
  int way = link_way.load(std::memory_order_relaxed);
  if (way != link_by_proc) {
    if (::linkat(fd, "", dir_fd, name, AT_EMPTY_PATH) == 0) {
      link_way.store(link_by_empty_path, std::memory_order_relaxed);
      return 0;
    }
    if (way == link_by_empty_path || errno != ENOENT)
      return -1;
  }
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), dir_fd, name, AT_SYMLINK_FOLLOW) != 0)
    return -1;
  link_way.store(link_by_proc, std::memory_order_relaxed);
  return 0;
}

} // namespace

bool temp_file::anonymous_possible() noexcept {
  return !tmpfile_refused.load(std::memory_order_relaxed);
}

bool temp_file::anonymous_refused(int err) noexcept {
  if (!is_tmpfile_refusal(err))
    return false;
  tmpfile_refused.store(true, std::memory_order_relaxed);
  return true;
}

temp_file temp_file::adopt(dir_ref dir, asio_uring_fixed::file file, std::string name,
                           std::string destination_name, bool anonymous) {
  temp_file t;
  if (!anonymous)
    ::flock(file.native_handle(), LOCK_EX | LOCK_NB); // see create()
  t.file_ = std::move(file);
  t.dir_ = std::move(dir);
  t.name_ = anonymous ? std::string() : std::move(name);
  t.destination_name_ = std::move(destination_name);
  t.anonymous_ = anonymous;
  return t;
}

temp_file temp_file::create(dir_node& dir, const std::string& name, unsigned mode, bool anonymous,
                            std::error_code& ec) {
  temp_file t;
  t.dir_ = dir.open(ec);
  if (!t.dir_)
    return t;
  if (anonymous && !tmpfile_refused.load(std::memory_order_relaxed)) {
    int fd = ::openat(t.dir_.fd(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd >= 0) {
      t.file_ = asio_uring_fixed::file(fd);
      t.destination_name_ = name;
      t.anonymous_ = true;
      ec.clear();
      return t;
    }
    if (!is_tmpfile_refusal(errno)) {
      ec = last_error();
      t.dir_.reset();
      return t;
    }
    tmpfile_refused.store(true, std::memory_order_relaxed);
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = temporary_name(name);
    int fd = ::openat(t.dir_.fd(), candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                      static_cast<mode_t>(mode));
    if (fd >= 0) {
      // Held until the descriptor is closed: tells remove_stale_temporaries
      // (in any process, any PID namespace) that this one is alive.
      ::flock(fd, LOCK_EX | LOCK_NB);
      t.file_ = asio_uring_fixed::file(fd);
      t.name_ = std::move(candidate);
      t.destination_name_ = name;
      ec.clear();
      return t;
    }
    if (errno != EEXIST) {
      ec = last_error();
      t.dir_.reset();
      return t;
    }
  }
  ec = std::make_error_code(std::errc::file_exists);
  t.dir_.reset();
  return t;
}

temp_file::temp_file(temp_file&& other) noexcept
    : file_(std::move(other.file_)), dir_(std::move(other.dir_)),
      name_(std::exchange(other.name_, {})),
      destination_name_(std::exchange(other.destination_name_, {})),
      anonymous_(std::exchange(other.anonymous_, false)),
      in_place_(std::exchange(other.in_place_, false)) {}

temp_file& temp_file::operator=(temp_file&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::move(other.file_);
    dir_ = std::move(other.dir_);
    name_ = std::exchange(other.name_, {});
    destination_name_ = std::exchange(other.destination_name_, {});
    anonymous_ = std::exchange(other.anonymous_, false);
    in_place_ = std::exchange(other.in_place_, false);
  }
  return *this;
}

std::error_code temp_file::commit_anonymous(bool no_replace, bool durable) {
  const int dir_fd = dir_.fd();
  if (link_anonymous(fd(), dir_fd, destination_name_.c_str()) != 0) {
    if (errno != EEXIST || no_replace)
      return last_error();
    // The name appeared since the plan: replace it as a rename would, from
    // a named link (which discard() removes if the rename fails).
    for (int attempt = 0; name_.empty(); ++attempt) {
      std::string candidate = temporary_name(destination_name_);
      if (link_anonymous(fd(), dir_fd, candidate.c_str()) == 0)
        name_ = std::move(candidate);
      else if (errno != EEXIST || attempt == 100)
        return last_error();
    }
    if (::renameat(dir_fd, name_.c_str(), dir_fd, destination_name_.c_str()) != 0)
      return last_error();
    name_.clear();
  }
  in_place_ = true;
  return durable ? sync_directory(dir_fd) : std::error_code();
}

std::error_code temp_file::commit(bool no_replace, bool durable) {
  std::error_code ec;
  if (anonymous_) {
    ec = commit_anonymous(no_replace, durable);
  } else {
    ec = move_into_place(dir_.fd(), name_, destination_name_, no_replace, durable);
    // Once renamed, the temporary name is gone: nothing to discard, even
    // when only the directory fsync failed.
    in_place_ = !ec || ::faccessat(dir_.fd(), name_.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) != 0;
    if (in_place_)
      name_.clear();
  }
  if (in_place_) {
    file_.close();
    dir_.reset();
  }
  return ec;
}

void temp_file::discard() noexcept {
  file_.close();
  if (!name_.empty()) {
    ::unlinkat(dir_.fd(), name_.c_str(), 0);
    name_.clear();
  }
  dir_.reset();
}

} // namespace uring_cp

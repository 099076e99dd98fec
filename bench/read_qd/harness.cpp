#include "harness.hpp"

#include "alloc_counter.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <system_error>

namespace read_qd {
namespace {

constexpr std::size_t chunk = std::size_t{1} << 20;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void fill_chunk(std::uint64_t* words, std::uint64_t at, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes / 8; ++i)
    words[i] = content_word(at + i * 8);
}

// True when the file has the right size and sampled words match.
bool file_matches(int fd, std::uint64_t size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != size)
    return false;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 256; ++i) {
    std::uint64_t at = i == 0 ? 0 : (i == 1 ? size - 8 : (rng() % (size / 8)) * 8);
    std::uint64_t w = 0;
    if (::pread(fd, &w, 8, static_cast<off_t>(at)) != 8 || w != content_word(at))
      return false;
  }
  return true;
}

} // namespace

std::uint64_t system_busy_jiffies() noexcept {
  int fd = ::open("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char text[512];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0)
    return 0;
  text[n] = 0;
  unsigned long long f[8] = {};
  if (std::sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3],
                  &f[4], &f[5], &f[6], &f[7]) != 8)
    return 0;
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]; // not idle (3), not iowait (4)
}

void prepare_file(const std::string& path, std::uint64_t size, bool verbose, bool direct) {
  if (size < chunk || size % chunk != 0)
    throw std::invalid_argument("file size must be a positive multiple of 1 MiB");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw_errno("open " + path);
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { ::close(*f); });
  auto buf = std::make_unique<std::uint64_t[]>(chunk / 8);
  if (!file_matches(fd, size)) {
    if (verbose)
      std::fprintf(stderr, "writing %llu MiB to %s\n", static_cast<unsigned long long>(size >> 20),
                   path.c_str());
    if (::ftruncate(fd, 0) != 0)
      throw_errno("ftruncate " + path);
    for (std::uint64_t at = 0; at < size; at += chunk) {
      fill_chunk(buf.get(), at, chunk);
      if (::pwrite(fd, buf.get(), chunk, static_cast<off_t>(at)) != static_cast<ssize_t>(chunk))
        throw_errno("write " + path);
    }
    if (::fsync(fd) != 0)
      throw_errno("fsync " + path);
  }
  if (direct) {
    // Nothing of it in the page cache: O_DIRECT reads then go to the device
    // (which, on a VM, may still answer from the host's cache).
    if (::fdatasync(fd) != 0)
      throw_errno("fdatasync " + path);
    if (int e = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); e != 0) {
      errno = e;
      throw_errno("posix_fadvise " + path);
    }
    return;
  }
  // Read everything once: the file is then in the page cache, and checked.
  for (std::uint64_t at = 0; at < size; at += chunk) {
    if (::pread(fd, buf.get(), chunk, static_cast<off_t>(at)) != static_cast<ssize_t>(chunk))
      throw_errno("read " + path);
    if (buf[0] != content_word(at) || buf[chunk / 8 - 1] != content_word(at + chunk - 8))
      throw std::runtime_error(path + ": content mismatch while warming the cache");
  }
}

std::vector<std::uint64_t> make_offsets(std::uint64_t file_size, std::uint32_t block_size,
                                        std::uint64_t seed, std::size_t count_pow2) {
  if (count_pow2 == 0 || (count_pow2 & (count_pow2 - 1)) != 0)
    throw std::invalid_argument("offset count must be a power of two");
  if (block_size > file_size)
    throw std::invalid_argument("block size larger than the file");
  std::uint64_t slots = (file_size - block_size) / 4096 + 1;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> pick(0, slots - 1);
  std::vector<std::uint64_t> offsets(count_pow2);
  for (auto& o : offsets)
    o = pick(rng) * 4096;
  return offsets;
}

std::vector<std::uint64_t>
make_sequential_offsets(std::uint64_t file_size, std::uint32_t block_size, std::size_t count_pow2) {
  if (count_pow2 == 0 || (count_pow2 & (count_pow2 - 1)) != 0)
    throw std::invalid_argument("offset count must be a power of two");
  if (block_size > file_size)
    throw std::invalid_argument("block size larger than the file");
  std::uint64_t blocks = file_size / block_size;
  std::vector<std::uint64_t> offsets(count_pow2);
  for (std::size_t i = 0; i < count_pow2; ++i)
    offsets[i] = (i % blocks) * block_size;
  return offsets;
}

int open_flags(const config& cfg) noexcept {
  return O_RDONLY | O_CLOEXEC | (cfg.direct ? O_DIRECT : 0);
}

double touch_memory(std::size_t mib) {
  if (mib == 0)
    return 0;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t len = mib << 20;
  void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED)
    throw_errno("mmap for touch_memory");
  auto* p = static_cast<volatile char*>(mem);
  for (std::size_t i = 0; i < len; i += 4096)
    p[i] = 1;
  ::munmap(mem, len);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double wait_for_quiet(double max_seconds, double threshold) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(max_seconds);
  static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double load = 0;
  do {
    std::uint64_t before = system_busy_jiffies();
    auto t0 = std::chrono::steady_clock::now();
    ::usleep(1000000);
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    load = static_cast<double>(system_busy_jiffies() - before) / hz / elapsed;
    if (load < threshold)
      break;
  } while (std::chrono::steady_clock::now() < deadline);
  return load;
}

window::window(const config& cfg)
    : offsets_(cfg.offsets), mask_(cfg.offsets->size() - 1), block_size_(cfg.block_size),
      start_at_(cfg.warmup < 1 ? 1 : cfg.warmup), end_at_(start_at_ + cfg.ops) {
  error_.reserve(256);
}

void window::mark(mark_point& m, bool opening) noexcept {
  // /proc/stat is read outside the measured span: before an opening mark,
  // after a closing one (no heap use either way).
  if (opening)
    m.system_busy = system_busy_jiffies();
  m.allocs = allocation_count();
  m.frees = deallocation_count();
  ::getrusage(RUSAGE_SELF, &m.usage);
  m.time = std::chrono::steady_clock::now();
  if (!opening)
    m.system_busy = system_busy_jiffies();
  m.taken = true;
}

bool window::verify(const void* data, std::size_t n, std::uint64_t offset) {
  const auto* w = static_cast<const unsigned char*>(data);
  std::uint64_t first, last;
  bool good = n == block_size_;
  if (good) {
    std::memcpy(&first, w, 8);
    std::memcpy(&last, w + n - 8, 8);
    good = first == content_word(offset) && last == content_word(offset + n - 8);
  }
  if (good && (verified_ & 63) == 0) {
    ++full_checks_;
    for (std::size_t i = 0; i < n; i += 8) {
      std::uint64_t v;
      std::memcpy(&v, w + i, 8);
      if (v != content_word(offset + i)) {
        good = false;
        break;
      }
    }
  }
  ++verified_;
  if (!good && !failed_) {
    char text[160];
    if (n != block_size_)
      std::snprintf(text, sizeof text, "short read: %zu of %u bytes at offset %llu", n, block_size_,
                    static_cast<unsigned long long>(offset));
    else
      std::snprintf(text, sizeof text, "wrong data in the %zu bytes read at offset %llu", n,
                    static_cast<unsigned long long>(offset));
    fail(text);
  }
  return good;
}

void window::fail(const std::string& what) {
  if (!failed_) {
    failed_ = true;
    error_ = what;
  }
}

measurement window::result() const {
  measurement m;
  m.verified = verified_;
  m.full_checks = full_checks_;
  if (failed_) {
    m.error = error_;
    return m;
  }
  if (!start_.taken || !end_.taken) {
    m.error = "the measurement window did not close";
    return m;
  }
  auto secs = [](const timeval& a, const timeval& b) {
    return static_cast<double>(b.tv_sec - a.tv_sec) +
           static_cast<double>(b.tv_usec - a.tv_usec) * 1e-6;
  };
  m.ops = end_at_ - start_at_;
  m.seconds = std::chrono::duration<double>(end_.time - start_.time).count();
  m.user_seconds = secs(start_.usage.ru_utime, end_.usage.ru_utime);
  m.sys_seconds = secs(start_.usage.ru_stime, end_.usage.ru_stime);
  m.allocs = end_.allocs - start_.allocs;
  m.frees = end_.frees - start_.frees;
  m.involuntary_switches = end_.usage.ru_nivcsw - start_.usage.ru_nivcsw;
  m.voluntary_switches = end_.usage.ru_nvcsw - start_.usage.ru_nvcsw;
  if (start_.system_busy && end_.system_busy && m.seconds > 0) {
    static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double busy = static_cast<double>(end_.system_busy - start_.system_busy) / hz;
    m.other_load = std::max(0.0, busy - m.user_seconds - m.sys_seconds) / m.seconds;
  }
  m.ok = true;
  return m;
}

} // namespace read_qd

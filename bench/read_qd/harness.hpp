// Shared harness of the read benchmark: the run configuration, the file
// whose content is a function of the offset, the measurement window every
// variant drives, and block verification.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace read_qd {

/// What one variant runs in one round. Every variant gets the same offsets
/// in the same issue order, so all do identical work.
struct config {
  std::string path;                          // the data file (page-cached unless direct)
  std::uint64_t file_size = 0;               // bytes
  bool direct = false;                       // open with O_DIRECT (the file is not cached)
  bool sequential = false;                   // offsets in file order (else random)
  std::uint32_t block_size = 4096;           // bytes per read
  unsigned qd = 32;                          // reads kept in flight
  std::uint64_t warmup = 0;                  // completions before the window opens
  std::uint64_t ops = 0;                     // completions inside the window
  const std::vector<std::uint64_t>* offsets; // size is a power of two
  std::string fio = "fio";                   // the fio binary (fio variants)
};

/// One variant, one round: what the window saw.
struct measurement {
  std::uint64_t ops = 0;
  double seconds = 0;
  double user_seconds = 0;
  double sys_seconds = 0;
  std::uint64_t allocs = 0;      // operator new calls inside the window
  std::uint64_t frees = 0;       // operator delete calls inside the window
  std::uint64_t verified = 0;    // completions whose data was checked
  std::uint64_t full_checks = 0; // of those, blocks checked word by word
  long involuntary_switches = 0; // preemptions inside the window (noise gauge)
  long voluntary_switches = 0;   // blocking waits inside the window
  double other_load = 0;         // CPUs kept busy by everything else during the window
                                 // (from /proc/stat, 10 ms resolution; noise gauge)
  bool ok = false;
  std::string error; // why the variant failed (empty when ok)

  double ops_per_second() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double mb_per_second(std::uint32_t block_size) const {
    return ops_per_second() * block_size / 1e6;
  }
  double cpu_us_per_op() const {
    return ops ? (user_seconds + sys_seconds) * 1e6 / static_cast<double>(ops) : 0;
  }
  /// CPU seconds per GiB read at `block_size` bytes per op.
  double cpu_s_per_gib(std::uint32_t block_size) const {
    return cpu_us_per_op() * 1e-6 * static_cast<double>(std::uint64_t{1} << 30) / block_size;
  }
  double allocs_per_op() const {
    return ops ? static_cast<double>(allocs) / static_cast<double>(ops) : 0;
  }
};

/// The 8-byte word stored at byte offset o (o a multiple of 8) of the file.
inline std::uint64_t content_word(std::uint64_t o) noexcept {
  return (o + 0x5bd1e9955bd1e995ull) * 0x9e3779b97f4a7c15ull;
}

/// Creates (or reuses, when its size and sampled content match) the data
/// file, then reads it once so it sits in the page cache, or, with `direct`,
/// drops it from the page cache (POSIX_FADV_DONTNEED) so that O_DIRECT reads
/// go to the device. Throws on error.
void prepare_file(const std::string& path, std::uint64_t size, bool verbose, bool direct = false);

/// Random block_size-fitting offsets, 4 KiB aligned, from a seeded PRNG.
std::vector<std::uint64_t> make_offsets(std::uint64_t file_size, std::uint32_t block_size,
                                        std::uint64_t seed, std::size_t count_pow2);

/// Offsets 0, block_size, 2 * block_size, ... in file order, starting again
/// at 0 where the next block would not fit.
std::vector<std::uint64_t>
make_sequential_offsets(std::uint64_t file_size, std::uint32_t block_size, std::size_t count_pow2);

/// The open(2) flags of a read-only descriptor for `cfg`: O_RDONLY |
/// O_CLOEXEC, plus O_DIRECT when cfg.direct.
int open_flags(const config& cfg) noexcept;

/// Maps, touches and unmaps `mib` MiB of anonymous memory so the VM's host
/// has backed it again before a timed round (see REFERENCE.md). Returns the
/// seconds it took.
double touch_memory(std::size_t mib);

/// Busy time of all CPUs so far (user+nice+system+irq+softirq+steal), in
/// jiffies, from the first line of /proc/stat; 0 if unreadable.
std::uint64_t system_busy_jiffies() noexcept;

/// Waits (sleeping) until the other processes keep fewer than `threshold`
/// CPUs busy over one second, or `max_seconds` have passed. Returns the last
/// load seen, in CPUs.
double wait_for_quiet(double max_seconds, double threshold);

/// Counts completions, hands out offsets, and records time, CPU and heap
/// allocations between completion number `warmup` and `warmup + ops`. The
/// queue stays full for the whole window: every completion before the end
/// re-issues; the reads still in flight at the end drain outside it.
class window {
 public:
  explicit window(const config& cfg);

  /// The offset of the next read to issue.
  std::uint64_t next_offset() noexcept { return (*offsets_)[issued_++ & mask_]; }

  /// Counts one completion; true when the caller should issue another read.
  bool complete() noexcept {
    ++completed_;
    if (completed_ == start_at_)
      mark(start_, true);
    else if (completed_ == end_at_)
      mark(end_, false);
    return completed_ < end_at_ && !failed_;
  }

  /// Checks a completed read of n bytes at offset: n must be the block size
  /// and the first and last words must match; every 64th block is checked
  /// word by word. On mismatch records the first error and stops the run
  /// (complete() returns false from then on). Returns false on mismatch.
  bool verify(const void* data, std::size_t n, std::uint64_t offset);

  /// Records an error reported by the I/O itself.
  void fail(const std::string& what);

  bool failed() const noexcept { return failed_; }

  /// The measurement; not ok unless the window closed without a failure.
  measurement result() const;

 private:
  struct mark_point {
    std::chrono::steady_clock::time_point time{};
    rusage usage{};
    std::uint64_t allocs = 0;
    std::uint64_t frees = 0;
    std::uint64_t system_busy = 0; // jiffies of all CPUs, /proc/stat
    bool taken = false;
  };
  static void mark(mark_point& m, bool opening) noexcept;

  const std::vector<std::uint64_t>* offsets_;
  std::uint64_t mask_;
  std::uint32_t block_size_;
  std::uint64_t issued_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t start_at_;
  std::uint64_t end_at_;
  std::uint64_t verified_ = 0;
  std::uint64_t full_checks_ = 0;
  bool failed_ = false;
  std::string error_;
  mark_point start_;
  mark_point end_;
};

} // namespace read_qd

// The multi-threaded measurement of the scaling benchmark: a run's
// configuration, what its window saw, the per-thread completion counter and
// block check every handler reaches through this_worker(), and the driver
// that starts all threads together (one barrier) and measures one window,
// the same for all of them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace scaling {

/// What one variant runs in one round.
struct config {
  std::string path;            // the data file
  std::uint64_t file_size = 0; // bytes
  bool direct = false;         // O_DIRECT (the file was dropped from the page cache)
  std::uint32_t block_size = 4096;
  unsigned qd = 32;            // reads in flight per thread
  unsigned threads = 1;        // threads running the variant
  double warmup_seconds = 0.5; // after the start barrier, before the window opens
  double window_seconds = 2;   // the measured window
  const std::vector<std::uint64_t>* offsets = nullptr; // size a power of two
};

/// One variant, one round, all threads together.
struct measurement {
  std::uint64_t ops = 0;                     // completions inside the window, all threads
  std::vector<std::uint64_t> ops_per_thread; // by the thread that ran the handler
  double seconds = 0;
  double user_seconds = 0; // getrusage(RUSAGE_SELF): every thread of the process
  double sys_seconds = 0;
  long involuntary_switches = 0;
  double other_load = 0; // CPUs kept busy by other processes during the window (/proc/stat)
  std::uint64_t verified = 0;
  std::string note; // e.g. the pool's attachment per context
  bool ok = false;
  std::string error;

  double ops_per_second() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double cpu_us_per_op() const {
    return ops ? (user_seconds + sys_seconds) * 1e6 / static_cast<double>(ops) : 0;
  }
  /// CPU seconds used per second of window per thread: 1 means every
  /// thread was busy the whole window.
  double cpu_per_thread(unsigned threads) const {
    return seconds > 0 && threads ? (user_seconds + sys_seconds) / seconds / threads : 0;
  }
};

/// The state of one thread of a run. Each run thread has its own; handlers
/// reach the one of the thread they run on through this_worker(), so that a
/// handler of a context run on several threads counts where it ran, and no
/// counter is written by two threads.
class alignas(64) worker {
 public:
  worker(const config& cfg, std::atomic<bool>& stop, std::mutex& error_mutex, std::string& error)
      : block_size_(cfg.block_size), stop_(stop), error_mutex_(error_mutex), error_(error) {}

  /// Counts a completed read of n bytes at offset and checks its data (first
  /// and last words; every 64th block word by word). True while the run
  /// goes on: the caller then issues the next read.
  bool complete(const void* data, std::size_t n, std::uint64_t offset) noexcept;

  /// Records the run's first error and stops it.
  void fail(const std::string& what);

  bool keep_going() const noexcept { return !stop_.load(std::memory_order_relaxed); }
  std::uint64_t completed() const noexcept { return completed_.load(std::memory_order_relaxed); }
  std::uint64_t verified() const noexcept { return verified_; }

 private:
  std::atomic<std::uint64_t> completed_{0}; // written by this thread only
  std::uint64_t verified_ = 0;
  std::uint32_t block_size_;
  std::atomic<bool>& stop_;
  std::mutex& error_mutex_;
  std::string& error_;
};

/// The worker of the calling run thread.
worker& this_worker() noexcept;

/// The offsets one chain of reads walks: its own stretch of the shared
/// random offsets, so chains share nothing while reading.
class offset_cursor {
 public:
  offset_cursor() = default;
  offset_cursor(const config& cfg, unsigned chain, unsigned chains)
      : offsets_(cfg.offsets), mask_(cfg.offsets->size() - 1),
        next_(cfg.offsets->size() / chains * chain) {}
  std::uint64_t take() noexcept { return (*offsets_)[next_++ & mask_]; }

 private:
  const std::vector<std::uint64_t>* offsets_ = nullptr;
  std::uint64_t mask_ = 0;
  std::uint64_t next_ = 0;
};

/// Starts cfg.threads threads, each calling body(thread index) once all of
/// them (and the measuring thread) passed one barrier; body returns when
/// its thread's work ran out, i.e. after keep_going() turned false. The
/// measuring thread sleeps through the warm-up, opens the window (time,
/// getrusage, counters, /proc/stat), sleeps through it, closes it and tells
/// the workers to stop; reads still in flight then drain outside the window.
/// An exception from body fails the run.
measurement run_on_threads(const config& cfg, const std::function<void(unsigned)>& body);

/// A failed measurement carrying `why`.
measurement failed(std::string why);

} // namespace scaling

// run_context: what every part of a run shares: the options, the console,
// the progress counters and the stop flag set by SIGINT/SIGTERM.
#pragma once

#include "console.hpp"
#include "options.hpp"
#include "progress_counters.hpp"

#include <sys/types.h>

#include <atomic>

namespace uring_cp {

struct run_context {
  const options& opts;
  console& out;
  progress_counters& progress;
  /// The process umask, read once at start (new files get mode & ~umask).
  mode_t umask = 022;
  /// Set when a signal asks the run to stop: nothing new starts, work in
  /// flight finishes or is abandoned, temporaries are removed.
  std::atomic<bool> stopping{false};
  /// One-time notes (e.g. O_DIRECT refused on some file) already printed.
  std::atomic<bool> noted_buffered_fallback{false};
  std::atomic<bool> noted_kernel_fallback{false};

  bool stop_requested() const noexcept { return stopping.load(std::memory_order_relaxed); }
};

} // namespace uring_cp

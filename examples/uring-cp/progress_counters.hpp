// progress_counters: bytes and files done so far, updated by whichever thread
// copies, read by the progress meter and the summary.
#pragma once

#include <atomic>
#include <cstdint>

namespace uring_cp {

struct progress_counters {
  std::uint64_t total_bytes = 0;
  std::uint64_t total_files = 0;
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> files{0};
  /// Files renamed into place (the rest failed, were skipped or stopped).
  std::atomic<std::uint64_t> copied_files{0};
  /// Files copied with O_DIRECT on both sides.
  std::atomic<std::uint64_t> direct_files{0};

  void add_bytes(std::uint64_t n) noexcept { bytes.fetch_add(n, std::memory_order_relaxed); }
  void file_done(bool copied) noexcept {
    files.fetch_add(1, std::memory_order_relaxed);
    if (copied)
      copied_files.fetch_add(1, std::memory_order_relaxed);
  }
};

} // namespace uring_cp

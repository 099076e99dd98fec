// The scaling benchmark's results: every round, the summary per mode,
// variant and thread count (medians and min..max over rounds, ratios), the
// targets of issue 14 checked against the medians, the pinned-memory
// table, the projection past 2 cores, as Markdown and CSV.
#pragma once

#include "pinned_memory.hpp"
#include "workers.hpp"

#include <string>
#include <vector>

namespace scaling {

struct round_result {
  std::string mode; // "cached" or "direct"
  unsigned round = 0;
  std::string variant;
  unsigned threads = 0;
  measurement m;
};

struct summary_row {
  std::string mode, variant;
  unsigned threads = 0;
  unsigned rounds = 0, ok_rounds = 0, loaded_rounds = 0; // loaded: other load > threshold
  double median_ops = 0, min_ops = 0, max_ops = 0;
  double median_cpu_us = 0, min_cpu_us = 0, max_cpu_us = 0;
  double median_cpu_per_thread = 0; // CPU s per window s per thread
  double median_other_load = 0, max_other_load = 0;
  double median_thread_balance = 0; // slowest thread's ops / fastest's (1 = even)
  double ratio_vs_one_thread = 0;   // median ops / the same variant's 1-thread median
  double ratio_vs_raw = 0;          // median ops / raw liburing's median, same threads
  std::string note, error;
};

struct report_settings {
  std::string command;
  std::string cached_file, direct_file;
  std::uint64_t cached_mib = 0, direct_mib = 0;
  std::uint32_t block_size = 4096;
  unsigned qd = 32;
  double warmup = 0, window = 0;
  unsigned rounds = 0;
  std::size_t prefault_mib = 0;
  double quiet_wait = 0, quiet_threshold = 0;
  std::size_t pin_count = 0, pin_size = 0;
};

std::vector<summary_row> summarize(const std::vector<round_result>& rounds, double load_threshold);

/// The Markdown report on out; CSVs (rounds.csv, summary.csv, pinned.csv)
/// into dir when it is not empty.
void write_report(std::FILE* out, const report_settings& s, const std::vector<round_result>& rounds,
                  const std::vector<summary_row>& rows, const std::vector<pinned_row>& pinned);
void write_csv(const std::string& dir, const std::vector<round_result>& rounds,
               const std::vector<summary_row>& rows, const std::vector<pinned_row>& pinned);

} // namespace scaling

// Per-round results, their summary per variant (medians, spread, ratios),
// the target checks, and the CSV / JSON / Markdown writers.
#pragma once

#include "harness.hpp"

#include <string>
#include <utility>
#include <vector>

namespace read_qd {

struct round_result {
  std::string variant; // variant id
  std::uint32_t block_size;
  unsigned qd;
  unsigned round; // 1-based
  measurement m;
  bool quiet = true; // no window of this round saw other load above the threshold
};

struct summary_row {
  std::string variant;
  std::string label;
  bool library = false;
  std::uint32_t block_size = 0;
  unsigned qd = 0;
  unsigned rounds = 0;   // rounds that succeeded
  unsigned failures = 0; // rounds that failed
  std::string error;     // first failure
  double median_ops = 0, min_ops = 0, max_ops = 0;
  double median_cpu_us = 0, min_cpu_us = 0, max_cpu_us = 0;
  std::uint64_t allocs = 0, ops = 0; // summed over rounds (windows only)
  std::uint64_t max_round_allocs = 0;
  double ratio_liburing = 0;        // median ops / raw liburing's median ops
  double ratio_asio_one = 0;        // median ops / Asio one-object's median ops
  double paired_ratio_liburing = 0; // median over rounds of the same-round ratio
  double paired_ratio_asio_one = 0;
  // The same-round ratio over the rounds where both windows were quiet
  // (other load <= the threshold), and how many such rounds there were.
  double quiet_paired_ratio_liburing = 0;
  unsigned quiet_pairs_liburing = 0;
  double quiet_paired_ratio_asio_one = 0;
  unsigned quiet_pairs_asio_one = 0;
  double cpu_ratio_liburing = 0; // median CPU per op / raw liburing's
  double median_mb_s = 0;        // median ops/s × block size / 1e6
  double median_cpu_s_per_gib = 0, min_cpu_s_per_gib = 0, max_cpu_s_per_gib = 0;
  // lib_fixed against lib_unregistered of the same group: median CPU per op
  // and ops/s ratios.
  double cpu_ratio_unregistered = 0, ops_ratio_unregistered = 0;
  // Median CPU per op against fio's: lib_fixed / fio_fixed and
  // lib_unregistered / fio_unregistered.
  double cpu_ratio_fio = 0;
  double median_preemptions = 0; // involuntary context switches per window
  double median_other_load = 0;  // CPUs busy with other work during windows
};

/// A target and whether it was met, or (finding) a plain statement read off
/// the numbers, such as whether registered buffers helped.
struct target_check {
  std::string text;
  bool met;
  bool binding;         // one of the brief's targets (see check_targets)
  bool finding = false; // a statement, not a target: `met` does not apply
};

/// Medians, spreads and ratios per (block size, QD, variant); a window counts
/// as quiet when other processes kept at most `quiet_threshold` CPUs busy.
std::vector<summary_row> summarize(const std::vector<round_result>& rounds,
                                   double quiet_threshold = 0.25);

/// The targets, for every (block size, QD) group. Page-cached (not direct):
/// registered ≥ 0.9× raw liburing and ≥ 2× Asio one-object ops/s, binding at
/// QD 32, 4 KiB. With O_DIRECT: registered ≤ 0.9× the CPU per op of
/// unregistered at 4 KiB and ≤ 0.7× at 1 MiB, binding at every depth. Both:
/// the library's CPU per op ≤ 1.15× fio's (fixedbufs=1) at the same depth
/// and zero allocations per op, binding wherever measured. Findings say
/// whether registration helped, from the same numbers.
std::vector<target_check> check_targets(const std::vector<summary_row>& rows, bool direct);

/// The summary restricted to quiet rounds (no window above `threshold` CPUs
/// of other load), made when some rounds were disturbed and every group kept
/// at least three quiet ones. `markdown` says how many rounds were quiet and
/// holds the tables (empty when every round was quiet).
struct quiet_summary {
  std::string markdown;
  std::vector<summary_row> rows;
  std::vector<target_check> targets;
};
quiet_summary summarize_quiet(const std::vector<round_result>& rounds, double threshold,
                              bool direct);

using meta_list = std::vector<std::pair<std::string, std::string>>;

void write_csv(const std::string& path, const std::vector<round_result>& rounds);
/// One row per (block size, QD, variant): medians and spreads (for plots).
void write_summary_csv(const std::string& path, const std::vector<summary_row>& rows);
/// `quiet_rows` / `quiet_targets` summarise the quiet rounds only (empty when
/// every round was quiet or too few were).
void write_json(const std::string& path, const meta_list& meta,
                const std::vector<round_result>& rounds, const std::vector<summary_row>& rows,
                const std::vector<target_check>& targets,
                const std::vector<summary_row>& quiet_rows,
                const std::vector<target_check>& quiet_targets);

/// One table per (block size, QD) group, then the target checks.
std::string markdown(const std::vector<summary_row>& rows, const std::vector<target_check>& targets,
                     const std::string& heading_suffix);

} // namespace read_qd

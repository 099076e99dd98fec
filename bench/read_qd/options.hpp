// Command-line options of read_qd_bench.
#pragma once

#include "report.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace read_qd {

struct options {
  std::string file;
  std::uint64_t file_mib = 256;
  std::vector<std::uint64_t> block_sizes{4096};
  std::vector<std::uint64_t> qds{32};
  unsigned rounds = 7;
  std::uint64_t ops = 0;           // 0: window_mib worth of blocks per window
  std::uint64_t window_mib = 1024; // bytes read per window when --ops is not given
  std::uint64_t warmup = 0;        // 0: ops / 8, at least 4 * qd
  std::uint64_t seed = 42;
  std::size_t prefault_mib = 2048;
  double quiet_wait = 0;         // seconds to wait for a quiet machine before each round
  double quiet_threshold = 0.25; // CPUs of other load that make a window disturbed
  std::vector<std::string> variants;
  bool rotate = true;      // rotate the variant order from round to round
  bool direct = false;     // O_DIRECT reads of an uncached file
  bool sequential = false; // --pattern sequential
  std::string fio = "fio";
  std::string csv, json, markdown, summary_csv;
  meta_list meta;
};

/// Parses the command line; prints usage or the variant list and exits for
/// --help / --list; throws std::invalid_argument on bad input.
options parse_options(int argc, char** argv);

/// True when variant `id` is to run.
bool selected(const options& o, std::string_view id);

} // namespace read_qd

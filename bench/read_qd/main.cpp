// read_qd_bench: per-operation cost of 4 KiB (or larger) random or
// sequential reads from a page-cached file (or, with --direct, with O_DIRECT
// from the device) at a given queue depth, one thread, every variant in this
// one process (fio as a child process), interleaved round by round (A B C ..., then B C ... A with
// the default rotation, or A B C ... again with --no-rotate).
#include "alloc_counter.hpp"
#include "harness.hpp"
#include "options.hpp"
#include "report.hpp"
#include "variants.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

using namespace read_qd;

int main(int argc, char** argv) try {
  options o = parse_options(argc, argv);
  if (!allocation_counting_works()) {
    std::fputs("read_qd_bench: the counting operator new is not in effect\n", stderr);
    return 2;
  }
  std::uint64_t file_size = o.file_mib << 20;
  prepare_file(o.file, file_size, true, o.direct);

  std::vector<round_result> results;
  bool any_failed = false;
  for (auto bs : o.block_sizes) {
    auto offsets =
        o.sequential ? make_sequential_offsets(file_size, static_cast<std::uint32_t>(bs), 1u << 20)
                     : make_offsets(file_size, static_cast<std::uint32_t>(bs), o.seed, 1u << 20);
    for (auto qd : o.qds) {
      config cfg;
      cfg.path = o.file;
      cfg.file_size = file_size;
      cfg.direct = o.direct;
      cfg.sequential = o.sequential;
      cfg.fio = o.fio;
      cfg.block_size = static_cast<std::uint32_t>(bs);
      cfg.qd = static_cast<unsigned>(qd);
      cfg.ops = o.ops ? o.ops : std::max<std::uint64_t>(1, (o.window_mib << 20) / bs);
      cfg.warmup = o.warmup ? o.warmup : std::max<std::uint64_t>(cfg.ops / 8, 4 * qd);
      cfg.offsets = &offsets;
      for (unsigned round = 1; round <= o.rounds; ++round) {
        // Touch and free memory first, then (optionally) wait for a quiet
        // machine: that wait also lets the kernel's background work after
        // the free (page reporting to the host) pass before the windows.
        double touched = touch_memory(o.prefault_mib);
        double load = o.quiet_wait > 0 ? wait_for_quiet(o.quiet_wait, o.quiet_threshold) : -1;
        std::fprintf(stderr, "-- %llu B, QD %llu, round %u/%u (touched %zu MiB in %.2f s",
                     static_cast<unsigned long long>(bs), static_cast<unsigned long long>(qd),
                     round, o.rounds, o.prefault_mib, touched);
        if (load >= 0)
          std::fprintf(stderr, "; other load before: %.2f CPUs", load);
        std::fputs(")\n", stderr);
        std::size_t first = results.size();
        // Every variant once per round; with rotation, round r starts at the
        // r-th selected variant so that no variant always runs first (right
        // after the memory touch) or last.
        std::vector<const variant*> order;
        for (const auto& v : all_variants)
          if (selected(o, v.id))
            order.push_back(&v);
        if (o.rotate && !order.empty())
          std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
        for (const variant* vp : order) {
          const variant& v = *vp;
          measurement m;
          try {
            m = v.run(cfg);
          } catch (const std::exception& e) {
            m = measurement{};
            m.error = e.what();
          }
          if (m.ok)
            std::fprintf(stderr,
                         "   %-20s %9.0f ops/s  %7.1f MB/s  %6.3f CPU us/op  %.3g allocs/op  "
                         "%ld preempted  other load %.2f CPUs\n",
                         std::string(v.id).c_str(), m.ops_per_second(),
                         m.mb_per_second(cfg.block_size), m.cpu_us_per_op(), m.allocs_per_op(),
                         m.involuntary_switches, m.other_load);
          else {
            any_failed = true;
            std::fprintf(stderr, "   %-20s FAILED: %s\n", std::string(v.id).c_str(),
                         m.error.c_str());
          }
          results.push_back({std::string(v.id), cfg.block_size, cfg.qd, round, m});
        }
        bool quiet = true;
        for (std::size_t i = first; i < results.size(); ++i)
          quiet = quiet && results[i].m.other_load <= o.quiet_threshold;
        for (std::size_t i = first; i < results.size(); ++i)
          results[i].quiet = quiet;
      }
    }
  }

  auto rows = summarize(results, o.quiet_threshold);
  auto targets = check_targets(rows, o.direct);
  std::string table = markdown(rows, targets, "");

  quiet_summary quiet = summarize_quiet(results, o.quiet_threshold, o.direct);
  table += quiet.markdown;
  if (!fio_commands().empty()) {
    table += "\nfio commands run (each with --output=<temporary file>):\n\n";
    for (const auto& c : fio_commands())
      table += "- `" + c + "`\n";
  }
  std::fputs(table.c_str(), stdout);
  if (!o.csv.empty())
    write_csv(o.csv, results);
  if (!o.json.empty())
    write_json(o.json, o.meta, results, rows, targets, quiet.rows, quiet.targets);
  if (!o.summary_csv.empty())
    write_summary_csv(o.summary_csv, rows);
  if (!o.markdown.empty()) {
    std::ofstream md(o.markdown);
    md << table;
  }
  return any_failed ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "read_qd_bench: %s\n", e.what());
  return 2;
}

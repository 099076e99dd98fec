#include "report.hpp"

#include "variants.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string_view>

namespace scaling {
namespace {

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string label(const std::string& id) {
  for (const auto& v : all_variants)
    if (v.id == id)
      return std::string(v.label);
  return id;
}

const summary_row* find(const std::vector<summary_row>& rows, const std::string& mode,
                        const std::string& variant, unsigned threads) {
  for (const auto& r : rows)
    if (r.mode == mode && r.variant == variant && r.threads == threads && r.ok_rounds)
      return &r;
  return nullptr;
}

std::string mode_title(const std::string& mode) {
  return mode == "cached" ? "Page-cached 4 KiB random reads" : "O_DIRECT 4 KiB random reads";
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string kops(double ops) {
  return fmt("%.1f", ops / 1000);
}

} // namespace

std::vector<summary_row> summarize(const std::vector<round_result>& rounds, double load_threshold) {
  std::vector<summary_row> rows;
  std::map<std::tuple<std::string, std::string, unsigned>, std::size_t> index;
  std::vector<std::vector<const round_result*>> groups;
  for (const auto& r : rounds) {
    auto key = std::make_tuple(r.mode, r.variant, r.threads);
    auto [it, added] = index.emplace(key, groups.size());
    if (added)
      groups.emplace_back();
    groups[it->second].push_back(&r);
  }
  for (const auto& g : groups) {
    summary_row s;
    s.mode = g[0]->mode;
    s.variant = g[0]->variant;
    s.threads = g[0]->threads;
    std::vector<double> ops, cpu, per_thread, load, balance;
    for (const auto* r : g) {
      ++s.rounds;
      if (!r->m.ok) {
        s.error = r->m.error;
        continue;
      }
      ++s.ok_rounds;
      ops.push_back(r->m.ops_per_second());
      cpu.push_back(r->m.cpu_us_per_op());
      per_thread.push_back(r->m.cpu_per_thread(r->threads));
      load.push_back(r->m.other_load);
      if (r->m.other_load > load_threshold)
        ++s.loaded_rounds;
      auto [lo, hi] = std::minmax_element(r->m.ops_per_thread.begin(), r->m.ops_per_thread.end());
      balance.push_back(*hi ? static_cast<double>(*lo) / static_cast<double>(*hi) : 0);
      s.note = r->m.note;
    }
    if (s.ok_rounds) {
      s.median_ops = median(ops);
      s.min_ops = *std::min_element(ops.begin(), ops.end());
      s.max_ops = *std::max_element(ops.begin(), ops.end());
      s.median_cpu_us = median(cpu);
      s.min_cpu_us = *std::min_element(cpu.begin(), cpu.end());
      s.max_cpu_us = *std::max_element(cpu.begin(), cpu.end());
      s.median_cpu_per_thread = median(per_thread);
      s.median_other_load = median(load);
      s.max_other_load = *std::max_element(load.begin(), load.end());
      s.median_thread_balance = median(balance);
    }
    rows.push_back(s);
  }
  for (auto& s : rows) {
    if (const auto* one = find(rows, s.mode, s.variant, 1); one && s.ok_rounds)
      s.ratio_vs_one_thread = s.median_ops / one->median_ops;
    if (const auto* raw = find(rows, s.mode, "raw_liburing", s.threads); raw && s.ok_rounds)
      s.ratio_vs_raw = s.median_ops / raw->median_ops;
  }
  return rows;
}

void write_report(std::FILE* out, const report_settings& s, const std::vector<round_result>& rounds,
                  const std::vector<summary_row>& rows, const std::vector<pinned_row>& pinned) {
  auto p = [out](const std::string& line) { std::fprintf(out, "%s\n", line.c_str()); };
  p("# (e) Scaling: threads and rings");
  p("");
  p("- Benchmark: `" + s.command + "`");
  p("- Reads: " + std::to_string(s.block_size / 1024) +
    " KiB at random 4 KiB-aligned offsets, QD " + std::to_string(s.qd) +
    " per thread (each thread keeps its reads in flight; one context on N threads has N × " +
    std::to_string(s.qd) +
    " chains); every block's first and last words and every 64th block in "
    "full are checked against the file's content");
  p("- Files: page-cached `" + s.cached_file + "` (" + std::to_string(s.cached_mib) +
    " MiB, read once in full first), O_DIRECT `" + s.direct_file + "` (" +
    std::to_string(s.direct_mib) + " MiB, dropped from the page cache first)");
  p("- Window: all threads start at one barrier; " + fmt("%.2f", s.warmup) + " s warm-up, then " +
    fmt("%.2f", s.window) +
    " s measured, the same window for every thread (one measuring thread takes the time, "
    "getrusage(RUSAGE_SELF) — every thread of the process — and the completion counters at both "
    "ends)");
  p("- Rounds: " + std::to_string(s.rounds) +
    " per mode, every (variant, threads) pair once per round, order rotating; " +
    std::to_string(s.prefault_mib) + " MiB touched and freed before each round" +
    (s.quiet_wait > 0
         ? ", then up to " + fmt("%.0f", s.quiet_wait) + " s waiting for other load below " +
               fmt("%.2f", s.quiet_threshold) + " CPUs"
         : ""));
  p("- Noise gauge: \"other load\" is the CPUs kept busy by other processes during the window "
    "(/proc/stat minus this process); rounds above " +
    fmt("%.2f", s.quiet_threshold) + " CPUs are counted in the \"loaded\" column");

  // Targets.
  p("");
  p("## Targets of issue 14 (reported, not asserted)");
  p("");
  auto check = [&](const std::string& text, const summary_row* a, const summary_row* b, double want,
                   bool a_over_b_ratio_only) {
    if (!a || !b) {
      p("- n/a — " + text + " (a variant failed or did not run)");
      return;
    }
    double r = a_over_b_ratio_only ? a->median_ops / b->median_ops : 0;
    p(std::string("- ") + (r >= want ? "MET" : "**NOT MET**") + " — " + text + ": " +
      fmt("%.3f", r) + "× (" + kops(a->median_ops) + "k / " + kops(b->median_ops) +
      "k ops/s, medians)");
  };
  for (std::string mode : {"cached", "direct"}) {
    if (!std::any_of(rows.begin(), rows.end(), [&](auto& r) { return r.mode == mode; }))
      continue;
    std::string m = mode == "cached" ? "[page-cached] " : "[O_DIRECT] ";
    check(m + "library, 1 thread (shared-pool variant, one context) ≥ 0.95× raw liburing, 1 thread",
          find(rows, mode, "lib_shared_pool", 1), find(rows, mode, "raw_liburing", 1), 0.95, true);
    check(m + "library, 2 threads, context per thread, shared pool ≥ 1.9× its 1 thread",
          find(rows, mode, "lib_shared_pool", 2), find(rows, mode, "lib_shared_pool", 1), 1.9,
          true);
    check(m + "library, 2 threads, context per thread, shared pool ≥ 0.95× raw liburing, ring per "
              "thread, 2 threads",
          find(rows, mode, "lib_shared_pool", 2), find(rows, mode, "raw_liburing", 2), 0.95, true);
    check(m + "library, one context on 2 threads (1 ring) ≥ 1.5× one thread",
          find(rows, mode, "lib_one_context", 2), find(rows, mode, "lib_one_context", 1), 1.5,
          true);
    check(m + "library, one context on 2 threads, rings = 2 ≥ 1.5× one thread",
          find(rows, mode, "lib_one_context_rings", 2),
          find(rows, mode, "lib_one_context_rings", 1), 1.5, true);
  }
  if (std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.mode == "direct"; }))
    p("\nO_DIRECT rows are bound by the virtio disk (REFERENCE.md: it saturates near 65k IOPS, and "
      "the host may serve reads from its cache), so their thread ratios say more about the device "
      "than the library; compare their CPU µs per op.");
  bool pin_once = !pinned.empty();
  for (const auto& r : pinned)
    if (r.layout == "shared pool") {
      bool once = r.error.empty() && r.vm_pin_kib == r.pool_kib;
      pin_once = pin_once && once;
      p(std::string("- ") + (once ? "MET" : "**NOT MET**") + " — a pool shared by " +
        std::to_string(r.rings) + " rings pins its memory once: VmPin +" +
        std::to_string(r.vm_pin_kib) + " KiB for a " + std::to_string(r.pool_kib) + " KiB pool" +
        (r.error.empty() ? "" : " (" + r.error + ")"));
    }

  // Tables.
  for (std::string mode : {"cached", "direct"}) {
    if (!std::any_of(rows.begin(), rows.end(), [&](auto& r) { return r.mode == mode; }))
      continue;
    p("");
    p("## " + mode_title(mode) + ", QD " + std::to_string(s.qd) + " per thread");
    p("");
    p("| variant | threads | kops/s median (min..max) | CPU µs/op median (min..max) | × 1 thread "
      "| × raw liburing, same threads | CPU per thread | thread balance | other load median "
      "(max) | loaded rounds | how |");
    p("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const auto& r : rows) {
      if (r.mode != mode)
        continue;
      if (!r.ok_rounds) {
        p("| " + label(r.variant) + " | " + std::to_string(r.threads) +
          " | **failed**: " + r.error + " | | | | | | | | |");
        continue;
      }
      p("| " + label(r.variant) + " | " + std::to_string(r.threads) + " | " + kops(r.median_ops) +
        " (" + kops(r.min_ops) + "..." + kops(r.max_ops) + ") | " + fmt("%.2f", r.median_cpu_us) +
        " (" + fmt("%.2f", r.min_cpu_us) + "..." + fmt("%.2f", r.max_cpu_us) + ") | " +
        (r.threads == 1 ? "1" : fmt("%.2f", r.ratio_vs_one_thread)) + " | " +
        fmt("%.3f", r.ratio_vs_raw) + " | " + fmt("%.2f", r.median_cpu_per_thread) + " | " +
        fmt("%.2f", r.median_thread_balance) + " | " + fmt("%.2f", r.median_other_load) + " (" +
        fmt("%.2f", r.max_other_load) + ") | " + std::to_string(r.loaded_rounds) + "/" +
        std::to_string(r.ok_rounds) +
        (r.ok_rounds < r.rounds
             ? " (" + std::to_string(r.rounds - r.ok_rounds) + " failed: " + r.error + ")"
             : "") +
        " | " + r.note + " |");
    }
    p("");
    p("\"CPU per thread\": CPU seconds of the process per window second per thread (1.00 = every "
      "thread busy all the window). \"Thread balance\": the slowest thread's completions / the "
      "fastest's (handlers counted on the thread they ran on).");
  }

  // Pinned memory.
  if (!pinned.empty()) {
    p("");
    p("## Pinned memory with N rings");
    p("");
    p("Growth of `VmPin` and `VmLck` (`/proc/self/status`) while the pools exist, one pool = " +
      std::to_string(s.pin_count) + " × " + std::to_string(s.pin_size / 1024) +
      " KiB = " + std::to_string(s.pin_count * s.pin_size / 1024) +
      " KiB; the rings were made before the first reading; the largest growth of three "
      "attempts (rings closed earlier unpin asynchronously, which can only lower a reading). "
      "Exact figures, not timings.");
    p("");
    p("| rings | layout | VmPin growth (KiB) | × one pool | VmLck growth (KiB) | attachment per "
      "context |");
    p("|---|---|---|---|---|---|");
    for (const auto& r : pinned)
      p("| " + std::to_string(r.rings) + " | " + r.layout + " | " +
        (r.error.empty() ? std::to_string(r.vm_pin_kib) : "failed: " + r.error) + " | " +
        fmt("%.2f", r.pool_kib ? static_cast<double>(r.vm_pin_kib) / r.pool_kib : 0) + " | " +
        std::to_string(r.vm_lck_kib) + " | " + r.attachments + " |");
    p("");
    p("VmLck counts mlock()ed pages; io_uring's registration pins pages (VmPin, `mm->pinned_vm`) "
      "and charges RLIMIT_MEMLOCK to the user unless the process has CAP_IPC_LOCK, without "
      "touching VmLck.");
  }

  // Projection.
  p("");
  p("## Projection past 2 cores (on paper)");
  p("");
  p("From the measured CPU cost per op: with c₁ µs/op on one thread and c₂ µs/op with 2 threads, "
    "the 2-thread contention is c₂ / c₁. If nothing more is shared as threads are added (each "
    "thread its own context or ring, the pool's table cloned once per ring, no lock or cache line "
    "written by two threads), N busy cores give N × 10⁶ / c₂ ops/s. Assumptions: every thread "
    "is CPU-bound (the \"CPU per thread\" column near 1), per-op cost stays at the 2-thread "
    "figure (no new contention from cores 3..N: page-cache lookups are RCU reads, but the "
    "file's page refcounts and the host's memory bandwidth are shared and untested here), and "
    "the machine has no other load. For O_DIRECT the device caps it: the projection is "
    "min(N × 10⁶ / c₂, what the disk delivers), and the disk was measured at the 2-thread "
    "figure at most.");
  for (std::string mode : {"cached", "direct"}) {
    if (!std::any_of(rows.begin(), rows.end(), [&](auto& r) { return r.mode == mode; }))
      continue;
    p("");
    p("**" + mode_title(mode) + "**");
    p("");
    p("| variant | c₁ µs/op | c₂ µs/op | contention c₂/c₁ | CPU per thread at 2 | measured 2 "
      "threads kops/s | 4 cores kops/s | 8 cores kops/s |");
    p("|---|---|---|---|---|---|---|---|");
    for (const auto& v : all_variants) {
      const auto* one = find(rows, mode, std::string(v.id), 1);
      const auto* two = find(rows, mode, std::string(v.id), 2);
      if (!one || !two)
        continue;
      double c2 = two->median_cpu_us;
      std::string cap = mode == "direct" ? " (disk-capped)" : "";
      p("| " + std::string(v.label) + " | " + fmt("%.2f", one->median_cpu_us) + " | " +
        fmt("%.2f", c2) + " | " + fmt("%.2f", c2 / one->median_cpu_us) + " | " +
        fmt("%.2f", two->median_cpu_per_thread) + " | " + kops(two->median_ops) + " | " +
        kops(4e6 / c2) + cap + " | " + kops(8e6 / c2) + cap + " |");
    }
  }
  (void)rounds;
}

void write_csv(const std::string& dir, const std::vector<round_result>& rounds,
               const std::vector<summary_row>& rows, const std::vector<pinned_row>& pinned) {
  if (dir.empty())
    return;
  std::ofstream r(dir + "/rounds.csv");
  r << "mode,round,variant,threads,ok,ops,seconds,ops_per_s,user_s,sys_s,cpu_us_per_op,"
       "cpu_per_thread,other_load,involuntary_switches,verified,ops_per_thread,note,error\n";
  for (const auto& x : rounds) {
    std::string per;
    for (auto o : x.m.ops_per_thread)
      per += (per.empty() ? "" : ";") + std::to_string(o);
    r << x.mode << ',' << x.round << ',' << x.variant << ',' << x.threads << ',' << x.m.ok << ','
      << x.m.ops << ',' << x.m.seconds << ',' << x.m.ops_per_second() << ',' << x.m.user_seconds
      << ',' << x.m.sys_seconds << ',' << x.m.cpu_us_per_op() << ','
      << x.m.cpu_per_thread(x.threads) << ',' << x.m.other_load << ',' << x.m.involuntary_switches
      << ',' << x.m.verified << ',' << per << ",\"" << x.m.note << "\",\"" << x.m.error << "\"\n";
  }
  std::ofstream s(dir + "/summary.csv");
  s << "mode,variant,threads,rounds,ok_rounds,loaded_rounds,median_ops,min_ops,max_ops,"
       "median_cpu_us,min_cpu_us,max_cpu_us,median_cpu_per_thread,median_other_load,"
       "max_other_load,median_thread_balance,ratio_vs_one_thread,ratio_vs_raw,note,error\n";
  for (const auto& x : rows)
    s << x.mode << ',' << x.variant << ',' << x.threads << ',' << x.rounds << ',' << x.ok_rounds
      << ',' << x.loaded_rounds << ',' << x.median_ops << ',' << x.min_ops << ',' << x.max_ops
      << ',' << x.median_cpu_us << ',' << x.min_cpu_us << ',' << x.max_cpu_us << ','
      << x.median_cpu_per_thread << ',' << x.median_other_load << ',' << x.max_other_load << ','
      << x.median_thread_balance << ',' << x.ratio_vs_one_thread << ',' << x.ratio_vs_raw << ",\""
      << x.note << "\",\"" << x.error << "\"\n";
  std::ofstream p(dir + "/pinned.csv");
  p << "rings,layout,pool_kib,vm_pin_kib,vm_lck_kib,attachments,error\n";
  for (const auto& x : pinned)
    p << x.rings << ',' << x.layout << ',' << x.pool_kib << ',' << x.vm_pin_kib << ','
      << x.vm_lck_kib << ',' << x.attachments << ",\"" << x.error << "\"\n";
}

} // namespace scaling

// scaling_bench: 4 KiB random reads at QD 32 per thread, page-cached and
// O_DIRECT, on 1 and 2 threads, for the library (an io_context per thread
// with one shared pool or a pool each; one io_context on every thread, one
// ring or a ring per thread), raw liburing (a ring per thread) and Asio
// 1.81's random_access_file, interleaved round by round; then the pinned
// memory of a pool shared by N rings against a pool per ring. Markdown on
// stdout, CSV into --results-dir. See bench/README.md, part (e).
#include "../read_qd/alloc_counter.hpp"
#include "../read_qd/harness.hpp"
#include "report.hpp"
#include "variants.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

using namespace scaling;

namespace {

struct options {
  std::string cached_file = "scaling-cached.dat";
  std::string direct_file = "scaling-direct.dat";
  std::uint64_t cached_mib = 1024, direct_mib = 2048;
  std::vector<std::string> modes{"cached", "direct"};
  std::vector<unsigned> threads{1, 2};
  std::vector<std::string> variants;
  unsigned qd = 32;
  unsigned rounds = 5;
  double warmup = 0.5, window = 2;
  std::size_t prefault_mib = 2048;
  double quiet_wait = 0, quiet_threshold = 0.25;
  std::vector<unsigned> pin_rings{2, 4, 8};
  std::size_t pin_count = 64, pin_size = 256 * 1024;
  std::string results_dir;
  std::string command;
};

const char* usage =
    "usage: scaling_bench [options]\n"
    "  --file PATH          page-cached data file (scaling-cached.dat)\n"
    "  --direct-file PATH   O_DIRECT data file, on a disk (scaling-direct.dat)\n"
    "  --file-mib N         page-cached file size (1024)\n"
    "  --direct-file-mib N  O_DIRECT file size (2048)\n"
    "  --modes LIST         cached,direct (both)\n"
    "  --threads LIST       1,2\n"
    "  --variants LIST      ids from --list (all)\n"
    "  --qd N               reads in flight per thread (32)\n"
    "  --rounds N           (5)\n"
    "  --warmup S           seconds after the start barrier before the window (0.5)\n"
    "  --window S           seconds measured (2)\n"
    "  --prefault-mib N     memory touched and freed before each round (2048)\n"
    "  --quiet-wait S       then wait up to S s for other load below the threshold (0)\n"
    "  --quiet-threshold C  CPUs (0.25); also flags loaded rounds\n"
    "  --pin-rings LIST     ring counts of the pinned-memory table (2,4,8; 0 skips it)\n"
    "  --pin-pool N,S       pool of N buffers of S bytes for it (64,262144)\n"
    "  --results-dir DIR    write rounds.csv, summary.csv, pinned.csv there\n"
    "  --list               print the variants\n";

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "scaling_bench: %s\n%s", what.c_str(), usage);
  std::exit(2);
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

std::vector<unsigned> split_unsigned(std::string_view s) {
  std::vector<unsigned> out;
  for (auto& x : split(s))
    out.push_back(static_cast<unsigned>(std::stoul(x)));
  return out;
}

options parse(int argc, char** argv) {
  options o;
  o.command = "scaling_bench";
  for (int i = 1; i < argc; ++i)
    o.command += std::string(" ") + argv[i];
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--list") {
      for (const auto& v : all_variants)
        std::printf("%-22s %s\n", std::string(v.id).c_str(), std::string(v.label).c_str());
      std::exit(0);
    }
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc)
      die(std::string(a) + " needs a value (or is unknown)");
    std::string v = argv[++i];
    if (a == "--file")
      o.cached_file = v;
    else if (a == "--direct-file")
      o.direct_file = v;
    else if (a == "--file-mib")
      o.cached_mib = std::stoull(v);
    else if (a == "--direct-file-mib")
      o.direct_mib = std::stoull(v);
    else if (a == "--modes")
      o.modes = split(v);
    else if (a == "--threads")
      o.threads = split_unsigned(v);
    else if (a == "--variants")
      o.variants = split(v);
    else if (a == "--qd")
      o.qd = static_cast<unsigned>(std::stoul(v));
    else if (a == "--rounds")
      o.rounds = static_cast<unsigned>(std::stoul(v));
    else if (a == "--warmup")
      o.warmup = std::stod(v);
    else if (a == "--window")
      o.window = std::stod(v);
    else if (a == "--prefault-mib")
      o.prefault_mib = std::stoull(v);
    else if (a == "--quiet-wait")
      o.quiet_wait = std::stod(v);
    else if (a == "--quiet-threshold")
      o.quiet_threshold = std::stod(v);
    else if (a == "--pin-rings")
      o.pin_rings = v == "0" ? std::vector<unsigned>{} : split_unsigned(v);
    else if (a == "--pin-pool") {
      auto p = split_unsigned(v);
      if (p.size() != 2)
        die("--pin-pool wants N,S");
      o.pin_count = p[0];
      o.pin_size = p[1];
    } else if (a == "--results-dir")
      o.results_dir = v;
    else
      die("unknown option " + std::string(a));
  }
  for (auto& m : o.modes)
    if (m != "cached" && m != "direct")
      die("unknown mode " + m);
  for (auto& id : o.variants) {
    bool known = false;
    for (const auto& v : all_variants)
      known = known || v.id == id;
    if (!known)
      die("unknown variant " + id + " (see --list)");
  }
  if (o.threads.empty() || o.qd == 0 || o.rounds == 0 || o.window <= 0)
    die("threads, qd, rounds and window must be positive");
  return o;
}

} // namespace

int main(int argc, char** argv) try {
  options o = parse(argc, argv);
  std::vector<const variant*> chosen;
  for (const auto& v : all_variants)
    if (o.variants.empty() ||
        std::find(o.variants.begin(), o.variants.end(), v.id) != o.variants.end())
      chosen.push_back(&v);
  // Every (variant, threads) pair once per round, the order rotating by one
  // from round to round.
  std::vector<std::pair<const variant*, unsigned>> runs;
  for (unsigned t : o.threads)
    for (const auto* v : chosen)
      runs.emplace_back(v, t);

  std::vector<round_result> results;
  for (const auto& mode : o.modes) {
    bool direct = mode == "direct";
    const std::string& path = direct ? o.direct_file : o.cached_file;
    std::uint64_t size = (direct ? o.direct_mib : o.cached_mib) << 20;
    read_qd::prepare_file(path, size, true, direct);
    auto offsets = read_qd::make_offsets(size, 4096, 42, std::size_t{1} << 20);
    config cfg;
    cfg.path = path;
    cfg.file_size = size;
    cfg.direct = direct;
    cfg.qd = o.qd;
    cfg.warmup_seconds = o.warmup;
    cfg.window_seconds = o.window;
    cfg.offsets = &offsets;
    for (unsigned round = 1; round <= o.rounds; ++round) {
      double touched = read_qd::touch_memory(o.prefault_mib);
      double load =
          o.quiet_wait > 0 ? read_qd::wait_for_quiet(o.quiet_wait, o.quiet_threshold) : -1;
      std::fprintf(stderr, "-- %s, round %u/%u (touched %zu MiB in %.2f s", mode.c_str(), round,
                   o.rounds, o.prefault_mib, touched);
      if (load >= 0)
        std::fprintf(stderr, "; other load before: %.2f CPUs", load);
      std::fputs(")\n", stderr);
      for (std::size_t k = 0; k < runs.size(); ++k) {
        auto [v, threads] = runs[(k + round - 1) % runs.size()];
        cfg.threads = threads;
        round_result r{mode, round, std::string(v->id), threads, {}};
        try {
          r.m = v->run(cfg);
        } catch (const std::exception& e) {
          r.m = failed(std::string("exception: ") + e.what());
        }
        if (r.m.ok)
          std::fprintf(stderr, "   %-22s %u thr  %9.0f ops/s  %6.2f us/op  other %.2f  %s\n",
                       r.variant.c_str(), threads, r.m.ops_per_second(), r.m.cpu_us_per_op(),
                       r.m.other_load, r.m.note.c_str());
        else
          std::fprintf(stderr, "   %-22s %u thr  FAILED: %s\n", r.variant.c_str(), threads,
                       r.m.error.c_str());
        results.push_back(std::move(r));
      }
    }
  }

  std::vector<pinned_row> pinned;
  if (!o.pin_rings.empty())
    pinned = measure_pinned(o.pin_rings, o.pin_count, o.pin_size);

  auto rows = summarize(results, o.quiet_threshold);
  report_settings s;
  s.command = o.command;
  s.cached_file = std::filesystem::absolute(o.cached_file).string();
  s.direct_file = std::filesystem::absolute(o.direct_file).string();
  s.cached_mib = o.cached_mib;
  s.direct_mib = o.direct_mib;
  s.qd = o.qd;
  s.warmup = o.warmup;
  s.window = o.window;
  s.rounds = o.rounds;
  s.prefault_mib = o.prefault_mib;
  s.quiet_wait = o.quiet_wait;
  s.quiet_threshold = o.quiet_threshold;
  s.pin_count = o.pin_count;
  s.pin_size = o.pin_size;
  write_report(stdout, s, results, rows, pinned);
  write_csv(o.results_dir, results, rows, pinned);
  bool all_ok = std::all_of(results.begin(), results.end(), [](auto& r) { return r.m.ok; });
  for (const auto& p : pinned)
    all_ok = all_ok && p.error.empty();
  return all_ok ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "scaling_bench: %s\n", e.what());
  return 2;
}

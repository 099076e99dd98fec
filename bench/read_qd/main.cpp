// read_qd_bench: per-operation cost of 4 KiB (or larger) random reads from a
// page-cached file at a given queue depth, one thread, every variant in this
// one process, interleaved round by round (A B C ... A B C ...).
#include "alloc_counter.hpp"
#include "harness.hpp"
#include "report.hpp"
#include "variants.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <tuple>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace read_qd;

struct options {
  std::string file;
  std::uint64_t file_mib = 256;
  std::vector<std::uint64_t> block_sizes{4096};
  std::vector<std::uint64_t> qds{32};
  unsigned rounds = 7;
  std::uint64_t ops = 0;    // 0: 1 GiB worth of blocks per window
  std::uint64_t warmup = 0; // 0: ops / 8, at least 4 * qd
  std::uint64_t seed = 42;
  std::size_t prefault_mib = 2048;
  double quiet_wait = 0;        // seconds to wait for a quiet machine before each round
  double quiet_threshold = 0.25; // CPUs of other load that make a window disturbed
  std::vector<std::string> variants;
  std::string csv, json, markdown;
  meta_list meta;
};

const char* usage =
    "usage: read_qd_bench --file PATH [options]\n"
    "  --file PATH          data file (created if missing or wrong; keep it on a disk fs)\n"
    "  --file-mib N         data file size in MiB (256)\n"
    "  --block-size LIST    read sizes in bytes, comma separated (4096)\n"
    "  --qd LIST            queue depths, comma separated (32)\n"
    "  --rounds N           rounds; each runs every variant once (7)\n"
    "  --ops N              measured completions per variant per round (1 GiB / block size)\n"
    "  --warmup N           completions before the window opens (ops/8, >= 4*qd)\n"
    "  --seed N             PRNG seed of the offsets (42)\n"
    "  --prefault-mib N     memory to touch and free before each round (2048; 0 = off)\n"
    "  --quiet-wait S       before each round, wait up to S s for other load < threshold (0)\n"
    "  --quiet-threshold X  other processes' CPUs above which a window counts as\n"
    "                       disturbed (0.25); quiet rounds are also summarised apart\n"
    "  --variants LIST      subset of variant ids, comma separated (all)\n"
    "  --csv PATH, --json PATH, --markdown PATH   write results there\n"
    "  --meta KEY=VALUE     recorded in the JSON (repeatable)\n"
    "  --list               print the variant ids and exit\n";

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

std::uint64_t number(const std::string& s) {
  std::size_t used = 0;
  unsigned long long v = std::stoull(s, &used, 0);
  if (used != s.size())
    throw std::invalid_argument("not a number: " + s);
  return v;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--file")
      o.file = value();
    else if (a == "--file-mib")
      o.file_mib = number(value());
    else if (a == "--block-size") {
      o.block_sizes.clear();
      for (auto& s : split(value()))
        o.block_sizes.push_back(number(s));
    } else if (a == "--qd") {
      o.qds.clear();
      for (auto& s : split(value()))
        o.qds.push_back(number(s));
    } else if (a == "--rounds")
      o.rounds = static_cast<unsigned>(number(value()));
    else if (a == "--ops")
      o.ops = number(value());
    else if (a == "--warmup")
      o.warmup = number(value());
    else if (a == "--seed")
      o.seed = number(value());
    else if (a == "--prefault-mib")
      o.prefault_mib = number(value());
    else if (a == "--quiet-wait")
      o.quiet_wait = std::stod(value());
    else if (a == "--quiet-threshold")
      o.quiet_threshold = std::stod(value());
    else if (a == "--variants")
      o.variants = split(value());
    else if (a == "--csv")
      o.csv = value();
    else if (a == "--json")
      o.json = value();
    else if (a == "--markdown")
      o.markdown = value();
    else if (a == "--meta") {
      std::string kv = value();
      auto eq = kv.find('=');
      if (eq == std::string::npos)
        throw std::invalid_argument("--meta needs KEY=VALUE");
      o.meta.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (a == "--list") {
      for (const auto& v : all_variants)
        std::printf("%-20s %s\n", std::string(v.id).c_str(), std::string(v.label).c_str());
      std::exit(0);
    } else if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else
      throw std::invalid_argument("unknown option " + a);
  }
  if (o.file.empty())
    throw std::invalid_argument("--file is required");
  if (o.rounds == 0)
    throw std::invalid_argument("--rounds must be at least 1");
  for (auto bs : o.block_sizes)
    if (bs < 4096 || bs % 4096 != 0 || bs > (std::uint64_t{1} << 24))
      throw std::invalid_argument("block sizes must be multiples of 4096, at most 16 MiB");
  for (auto qd : o.qds)
    if (qd < 1 || qd > 4096)
      throw std::invalid_argument("queue depths must be 1..4096");
  for (auto& id : o.variants) {
    bool known = false;
    for (const auto& v : all_variants)
      known = known || v.id == id;
    if (!known)
      throw std::invalid_argument("unknown variant " + id + " (see --list)");
  }
  return o;
}

bool selected(const options& o, std::string_view id) {
  if (o.variants.empty())
    return true;
  for (auto& v : o.variants)
    if (v == id)
      return true;
  return false;
}

} // namespace

int main(int argc, char** argv) try {
  options o = parse(argc, argv);
  if (!allocation_counting_works()) {
    std::fputs("read_qd_bench: the counting operator new is not in effect\n", stderr);
    return 2;
  }
  std::uint64_t file_size = o.file_mib << 20;
  prepare_file(o.file, file_size, true);

  std::vector<round_result> results;
  bool any_failed = false;
  for (auto bs : o.block_sizes) {
    auto offsets = make_offsets(file_size, static_cast<std::uint32_t>(bs), o.seed, 1u << 20);
    for (auto qd : o.qds) {
      config cfg;
      cfg.path = o.file;
      cfg.file_size = file_size;
      cfg.block_size = static_cast<std::uint32_t>(bs);
      cfg.qd = static_cast<unsigned>(qd);
      cfg.ops = o.ops ? o.ops : (std::uint64_t{1} << 30) / bs;
      cfg.warmup = o.warmup ? o.warmup : std::max<std::uint64_t>(cfg.ops / 8, 4 * qd);
      cfg.offsets = &offsets;
      for (unsigned round = 1; round <= o.rounds; ++round) {
        double load = o.quiet_wait > 0 ? wait_for_quiet(o.quiet_wait, o.quiet_threshold) : -1;
        double touched = touch_memory(o.prefault_mib);
        std::fprintf(stderr, "-- %llu B, QD %llu, round %u/%u (touched %zu MiB in %.2f s",
                     static_cast<unsigned long long>(bs), static_cast<unsigned long long>(qd),
                     round, o.rounds, o.prefault_mib, touched);
        if (load >= 0)
          std::fprintf(stderr, "; other load before: %.2f CPUs", load);
        std::fputs(")\n", stderr);
        std::size_t first = results.size();
        for (const auto& v : all_variants) {
          if (!selected(o, v.id))
            continue;
          measurement m;
          try {
            m = v.run(cfg);
          } catch (const std::exception& e) {
            m = measurement{};
            m.error = e.what();
          }
          if (m.ok)
            std::fprintf(stderr,
                         "   %-20s %9.0f ops/s  %6.3f CPU us/op  %.3g allocs/op  %ld preempted  "
                         "other load %.2f CPUs\n",
                         std::string(v.id).c_str(), m.ops_per_second(), m.cpu_us_per_op(),
                         m.allocs_per_op(), m.involuntary_switches, m.other_load);
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

  auto rows = summarize(results);
  auto targets = check_targets(rows);
  std::string table = markdown(rows, targets, "");

  // The same summary over the rounds no other process disturbed, when some
  // were disturbed and at least three were not (per group).
  std::vector<round_result> quiet_results;
  std::map<std::pair<std::uint32_t, unsigned>, std::pair<unsigned, unsigned>> counts;
  std::set<std::tuple<std::uint32_t, unsigned, unsigned>> seen;
  for (const auto& r : results) {
    if (!seen.insert({r.block_size, r.qd, r.round}).second)
      continue; // count each round once
    auto& c = counts[{r.block_size, r.qd}];
    ++c.second;
    c.first += r.quiet ? 1 : 0;
  }
  bool any_disturbed = false, enough_quiet = true;
  for (const auto& [group, c] : counts) {
    any_disturbed = any_disturbed || c.first < c.second;
    enough_quiet = enough_quiet && c.first >= 3;
  }
  std::vector<summary_row> quiet_rows;
  std::vector<target_check> quiet_targets;
  if (any_disturbed) {
    char note[200];
    std::snprintf(note, sizeof note,
                  "\nOther processes kept more than %.2f CPUs busy during some windows; quiet "
                  "rounds per group:",
                  o.quiet_threshold);
    std::string text = note;
    for (const auto& [group, c] : counts) {
      std::snprintf(note, sizeof note, " %u KiB QD %u: %u of %u;", group.first / 1024,
                    group.second, c.first, c.second);
      text += note;
    }
    table += text + "\n";
    if (enough_quiet) {
      for (const auto& r : results)
        if (r.quiet)
          quiet_results.push_back(r);
      quiet_rows = summarize(quiet_results);
      quiet_targets = check_targets(quiet_rows);
      table += markdown(quiet_rows, quiet_targets, " — quiet rounds only");
    } else {
      table += "Too few quiet rounds (fewer than 3 in some group) for a separate quiet-round "
               "summary.\n";
    }
  }
  std::fputs(table.c_str(), stdout);
  if (!o.csv.empty())
    write_csv(o.csv, results);
  if (!o.json.empty())
    write_json(o.json, o.meta, results, rows, targets, quiet_rows, quiet_targets);
  if (!o.markdown.empty()) {
    std::ofstream md(o.markdown);
    md << table;
  }
  return any_failed ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "read_qd_bench: %s\n", e.what());
  return 2;
}

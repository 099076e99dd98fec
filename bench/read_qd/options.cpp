#include "options.hpp"

#include "variants.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace read_qd {
namespace {

const char* usage =
    "usage: read_qd_bench --file PATH [options]\n"
    "  --file PATH          data file (created if missing or wrong; keep it on a disk fs)\n"
    "  --file-mib N         data file size in MiB (256)\n"
    "  --block-size LIST    read sizes in bytes, comma separated (4096)\n"
    "  --qd LIST            queue depths, comma separated (32)\n"
    "  --rounds N           rounds; each runs every variant once (7)\n"
    "  --ops N              measured completions per variant per round (window / block size)\n"
    "  --window-mib N       without --ops: MiB read per window, per block size (1024)\n"
    "  --warmup N           completions before the window opens (ops/8, >= 4*qd)\n"
    "  --seed N             PRNG seed of the offsets (42)\n"
    "  --prefault-mib N     memory to touch and free before each round (2048; 0 = off)\n"
    "  --quiet-wait S       after each round's memory touch, wait up to S s for other\n"
    "                       processes to use < threshold CPUs (0: no wait)\n"
    "  --quiet-threshold X  other processes' CPUs above which a window counts as\n"
    "                       disturbed (0.25); quiet rounds are also summarised apart\n"
    "  --variants LIST      subset of variant ids, comma separated (all but fio_*)\n"
    "  --direct             O_DIRECT reads; the file is dropped from the page cache\n"
    "                       instead of being warmed (keep it on a disk filesystem)\n"
    "  --pattern P          random (default) or sequential offsets\n"
    "  --fio PATH           the fio binary of the fio_* variants (fio)\n"
    "  --no-rotate          same variant order every round (default: round r starts\n"
    "                       with the r-th variant, so none always runs first)\n"
    "  --csv PATH, --json PATH, --markdown PATH   write results there\n"
    "  --summary-csv PATH   one row per variant and group: medians and spreads\n"
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

} // namespace

options parse_options(int argc, char** argv) {
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
    else if (a == "--window-mib")
      o.window_mib = number(value());
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
    else if (a == "--direct")
      o.direct = true;
    else if (a == "--pattern") {
      std::string p = value();
      if (p != "random" && p != "sequential")
        throw std::invalid_argument("--pattern is random or sequential");
      o.sequential = p == "sequential";
    } else if (a == "--fio")
      o.fio = value();
    else if (a == "--summary-csv")
      o.summary_csv = value();
    else if (a == "--no-rotate")
      o.rotate = false;
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
  if (o.variants.empty()) {
    for (const auto& v : all_variants)
      if (v.id == id)
        return v.by_default;
    return false;
  }
  for (auto& v : o.variants)
    if (v == id)
      return true;
  return false;
}

} // namespace read_qd

#include "report.hpp"

#include "variants.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace read_qd {
namespace {

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// 452310.7 -> "452,311"
std::string thousands(double v) {
  auto n = static_cast<long long>(std::llround(v));
  std::string digits = std::to_string(n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count && count % 3 == 0 && *it != '-')
      out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  return out;
}

std::string kilo(double v) {
  return v >= 10000 ? fmt("%.0fk", v / 1000) : thousands(v);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
        out += esc;
      } else
        out += c;
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v))
    return "null";
  return fmt("%.9g", v);
}

std::string allocs_text(const summary_row& r) {
  if (r.variant.rfind("fio_", 0) == 0)
    return "n/a"; // another process: not counted
  if (r.ops == 0)
    return "–";
  if (r.allocs == 0)
    return "0";
  double per_op = static_cast<double>(r.allocs) / static_cast<double>(r.ops);
  return fmt(per_op >= 0.01 ? "%.2f" : "%.2g", per_op);
}

std::string ratio_text(double v) {
  return v > 0 ? fmt("%.2f×", v) : "–";
}

// 4096 -> "4 KiB", 1048576 -> "1 MiB"
std::string size_text(std::uint32_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes / 1024) + " KiB";
}

const variant* find_variant(const std::string& id) {
  for (const auto& v : all_variants)
    if (v.id == id)
      return &v;
  return nullptr;
}

} // namespace

std::vector<summary_row> summarize(const std::vector<round_result>& rounds,
                                   double quiet_threshold) {
  // Group by (block size, qd, variant order); keep the run order of variants.
  std::vector<summary_row> rows;
  std::map<std::tuple<std::uint32_t, unsigned, std::string>, std::vector<const round_result*>> by;
  for (const auto& r : rounds) {
    auto key = std::make_tuple(r.block_size, r.qd, r.variant);
    if (by.find(key) == by.end()) {
      summary_row row;
      row.variant = r.variant;
      const variant* v = find_variant(r.variant);
      row.label = v ? std::string(v->label) : r.variant;
      row.library = v && v->library;
      row.block_size = r.block_size;
      row.qd = r.qd;
      rows.push_back(row);
    }
    by[key].push_back(&r);
  }
  for (auto& row : rows) {
    std::vector<double> ops, cpu, preempted, other;
    for (const round_result* r : by[{row.block_size, row.qd, row.variant}]) {
      if (!r->m.ok) {
        if (row.failures++ == 0)
          row.error = r->m.error;
        continue;
      }
      ++row.rounds;
      ops.push_back(r->m.ops_per_second());
      cpu.push_back(r->m.cpu_us_per_op());
      preempted.push_back(static_cast<double>(r->m.involuntary_switches));
      other.push_back(r->m.other_load);
      row.allocs += r->m.allocs;
      row.ops += r->m.ops;
      row.max_round_allocs = std::max(row.max_round_allocs, r->m.allocs);
    }
    if (ops.empty())
      continue;
    row.median_ops = median(ops);
    row.min_ops = *std::min_element(ops.begin(), ops.end());
    row.max_ops = *std::max_element(ops.begin(), ops.end());
    row.median_cpu_us = median(cpu);
    row.median_preemptions = median(preempted);
    row.median_other_load = median(other);
    row.min_cpu_us = *std::min_element(cpu.begin(), cpu.end());
    row.max_cpu_us = *std::max_element(cpu.begin(), cpu.end());
    row.median_mb_s = row.median_ops * row.block_size / 1e6;
    const double per_gib = static_cast<double>(std::uint64_t{1} << 30) / row.block_size * 1e-6;
    row.median_cpu_s_per_gib = row.median_cpu_us * per_gib;
    row.min_cpu_s_per_gib = row.min_cpu_us * per_gib;
    row.max_cpu_s_per_gib = row.max_cpu_us * per_gib;
  }
  // Groups in the order they ran, variants in their declared order (the
  // rounds' rotation does not change the table).
  auto rank = [](const std::string& id) {
    for (std::size_t i = 0; i < std::size(all_variants); ++i)
      if (all_variants[i].id == id)
        return i;
    return std::size(all_variants);
  };
  std::map<std::pair<std::uint32_t, unsigned>, std::size_t> group_order;
  for (const auto& row : rows)
    group_order.emplace(std::make_pair(row.block_size, row.qd), group_order.size());
  std::stable_sort(rows.begin(), rows.end(), [&](const summary_row& a, const summary_row& b) {
    auto ga = group_order[{a.block_size, a.qd}], gb = group_order[{b.block_size, b.qd}];
    return ga != gb ? ga < gb : rank(a.variant) < rank(b.variant);
  });
  // Ratios against the two references of the same group.
  auto reference = [&](const summary_row& row, const char* id) -> const summary_row* {
    for (const auto& r : rows)
      if (r.block_size == row.block_size && r.qd == row.qd && r.variant == id && r.rounds > 0)
        return &r;
    return nullptr;
  };
  auto paired = [&](const summary_row& row, const char* id, bool quiet_only,
                    unsigned* count = nullptr) {
    std::vector<double> ratios;
    const auto& mine = by[{row.block_size, row.qd, row.variant}];
    const auto& theirs = by[{row.block_size, row.qd, std::string(id)}];
    for (const round_result* a : mine)
      for (const round_result* b : theirs)
        if (a->round == b->round && a->m.ok && b->m.ok && b->m.ops_per_second() > 0 &&
            (!quiet_only ||
             (a->m.other_load <= quiet_threshold && b->m.other_load <= quiet_threshold)))
          ratios.push_back(a->m.ops_per_second() / b->m.ops_per_second());
    if (count)
      *count = static_cast<unsigned>(ratios.size());
    return median(ratios);
  };
  for (auto& row : rows) {
    if (row.rounds == 0)
      continue;
    if (const summary_row* ref = reference(row, "raw_liburing")) {
      row.ratio_liburing = row.median_ops / ref->median_ops;
      row.paired_ratio_liburing = paired(row, "raw_liburing", false);
      row.quiet_paired_ratio_liburing =
          paired(row, "raw_liburing", true, &row.quiet_pairs_liburing);
      row.cpu_ratio_liburing = row.median_cpu_us / ref->median_cpu_us;
    }
    if (row.variant == "lib_fixed")
      if (const summary_row* ref = reference(row, "lib_unregistered")) {
        row.cpu_ratio_unregistered = row.median_cpu_us / ref->median_cpu_us;
        row.ops_ratio_unregistered = row.median_ops / ref->median_ops;
      }
    if (row.variant == "lib_fixed" || row.variant == "lib_unregistered")
      if (const summary_row* ref =
              reference(row, row.variant == "lib_fixed" ? "fio_fixed" : "fio_unregistered"))
        row.cpu_ratio_fio = row.median_cpu_us / ref->median_cpu_us;
    if (const summary_row* ref = reference(row, "asio_file_one")) {
      row.ratio_asio_one = row.median_ops / ref->median_ops;
      row.paired_ratio_asio_one = paired(row, "asio_file_one", false);
      row.quiet_paired_ratio_asio_one =
          paired(row, "asio_file_one", true, &row.quiet_pairs_asio_one);
    }
  }
  return rows;
}

namespace {
std::string quiet_text(unsigned pairs, double ratio) {
  if (pairs == 0)
    return "; no round had both windows quiet";
  return "; " + std::to_string(pairs) + (pairs == 1 ? " round" : " rounds") +
         fmt(" with both windows quiet: %.3f×", ratio);
}
} // namespace

std::vector<target_check> check_targets(const std::vector<summary_row>& rows, bool direct) {
  std::vector<target_check> out;
  auto find = [&](const summary_row& row, const char* id) -> const summary_row* {
    for (const auto& r : rows)
      if (r.block_size == row.block_size && r.qd == row.qd && r.variant == id && r.rounds > 0)
        return &r;
    return nullptr;
  };
  for (const auto& row : rows) {
    std::string group = std::string(direct ? "O_DIRECT, " : "") + "QD " + std::to_string(row.qd) +
                        ", " + size_text(row.block_size);
    bool binding = !direct && row.qd == 32 && row.block_size == 4096;
    if (row.variant == "lib_fixed" && row.rounds > 0 && row.cpu_ratio_unregistered > 0) {
      const summary_row* plain = find(row, "lib_unregistered");
      std::string figures = fmt(" (registered %.2f", row.median_cpu_us) +
                            fmt(" µs, unregistered %.2f µs per op", plain->median_cpu_us) +
                            fmt("; ops/s %.2f×)", row.ops_ratio_unregistered);
      double limit = row.block_size == 4096 ? 0.9 : row.block_size == (1u << 20) ? 0.7 : 0;
      if (direct && limit > 0)
        out.push_back({group +
                           fmt(": registered ≤ %.1f× the CPU per op of unregistered — ", limit) +
                           fmt("%.3f×", row.cpu_ratio_unregistered) + figures,
                       row.cpu_ratio_unregistered <= limit, true});
      double r = row.cpu_ratio_unregistered;
      std::string verdict =
          r < 0.95   ? fmt("registered buffers save %.0f%% of the CPU per op", 100 * (1 - r))
          : r > 1.05 ? fmt("registered buffers cost %.0f%% more CPU per op (noise?)", 100 * (r - 1))
                     : "registered buffers make no measurable difference (within ±5%)";
      out.push_back({group + (direct ? "" : " (page cache)") + ": " + verdict + " — CPU per op " +
                         fmt("%.3f×", r) + " of unregistered" + figures,
                     true, false, true});
    }
    if ((row.variant == "lib_fixed" || row.variant == "lib_unregistered") && row.rounds > 0 &&
        row.cpu_ratio_fio > 0) {
      bool fixed = row.variant == "lib_fixed";
      const summary_row* ref = find(row, fixed ? "fio_fixed" : "fio_unregistered");
      out.push_back({group + ": library " + (fixed ? "registered" : "unregistered") +
                         " CPU per op ≤ 1.15× fio " + (fixed ? "fixedbufs=1" : "fixedbufs=0") +
                         "'s — " + fmt("%.3f×", row.cpu_ratio_fio) +
                         fmt(" (library %.2f µs, ", row.median_cpu_us) +
                         fmt("fio %.2f µs per op", ref->median_cpu_us) +
                         fmt("; ops/s %.2f×)", row.median_ops / ref->median_ops),
                     row.cpu_ratio_fio <= 1.15, fixed});
    }
    if (row.variant == "lib_fixed") {
      if (row.rounds == 0) {
        out.push_back({group + ": library (registered) failed: " + row.error, false, true});
        continue;
      }
      if (row.ratio_liburing > 0)
        out.push_back({group + ": library registered ≥ 0.9× raw liburing ops/s — " +
                           fmt("%.3f×", row.ratio_liburing) +
                           fmt(" (paired per round %.3f×", row.paired_ratio_liburing) +
                           fmt("; CPU per op %.2f× raw's", row.cpu_ratio_liburing) +
                           quiet_text(row.quiet_pairs_liburing, row.quiet_paired_ratio_liburing) +
                           ")",
                       row.ratio_liburing >= 0.9, binding});
      if (row.ratio_asio_one > 0)
        out.push_back({group + ": library registered ≥ 2× Asio one-object ops/s — " +
                           fmt("%.2f×", row.ratio_asio_one) +
                           fmt(" (paired per round %.2f×", row.paired_ratio_asio_one) +
                           quiet_text(row.quiet_pairs_asio_one, row.quiet_paired_ratio_asio_one) +
                           ")",
                       row.ratio_asio_one >= 2.0, binding});
    }
    if (row.library && row.rounds > 0)
      out.push_back(
          {group + ": " + row.variant + " zero heap allocations per op in steady state — " +
               std::to_string(row.allocs) + " allocations in " + std::to_string(row.ops) + " ops",
           row.allocs == 0, true});
  }
  return out;
}

quiet_summary summarize_quiet(const std::vector<round_result>& rounds, double threshold,
                              bool direct) {
  // The same summary over the rounds no other process disturbed, when some
  // were disturbed and at least three were not (per group).
  std::vector<round_result> quiet_rounds;
  std::map<std::pair<std::uint32_t, unsigned>, std::pair<unsigned, unsigned>> counts;
  std::set<std::tuple<std::uint32_t, unsigned, unsigned>> seen;
  for (const auto& r : rounds) {
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
  quiet_summary out;
  if (any_disturbed) {
    char note[200];
    std::snprintf(note, sizeof note,
                  "\nOther processes kept more than %.2f CPUs busy during some windows; quiet "
                  "rounds per group:",
                  threshold);
    std::string text = note;
    for (const auto& [group, c] : counts) {
      std::snprintf(note, sizeof note, " %u KiB QD %u: %u of %u;", group.first / 1024, group.second,
                    c.first, c.second);
      text += note;
    }
    out.markdown += text + "\n";
    if (enough_quiet) {
      for (const auto& r : rounds)
        if (r.quiet)
          quiet_rounds.push_back(r);
      out.rows = summarize(quiet_rounds, threshold);
      out.targets = check_targets(out.rows, direct);
      out.markdown += markdown(out.rows, out.targets, " — quiet rounds only");
    } else {
      out.markdown +=
          "Too few quiet rounds (fewer than 3 in some group) for a separate quiet-round "
          "summary.\n";
    }
  }
  return out;
}

void write_csv(const std::string& path, const std::vector<round_result>& rounds) {
  std::ofstream out(path);
  if (!out)
    throw std::runtime_error("cannot write " + path);
  out << "variant,block_size,qd,round,ok,ops,seconds,ops_per_s,mb_per_s,user_s,sys_s,"
         "cpu_us_per_op,cpu_s_per_gib,allocs,frees,allocs_per_op,verified,full_checks,involuntary_"
         "switches,voluntary_switches,"
         "other_load_cpus,quiet,error\n";
  for (const auto& r : rounds) {
    const measurement& m = r.m;
    std::string error = m.error;
    std::replace(error.begin(), error.end(), '"', '\'');
    out << r.variant << ',' << r.block_size << ',' << r.qd << ',' << r.round << ','
        << (m.ok ? 1 : 0) << ',' << m.ops << ',' << fmt("%.6f", m.seconds) << ','
        << fmt("%.1f", m.ops_per_second()) << ',' << fmt("%.2f", m.mb_per_second(r.block_size))
        << ',' << fmt("%.6f", m.user_seconds) << ',' << fmt("%.6f", m.sys_seconds) << ','
        << fmt("%.4f", m.cpu_us_per_op()) << ',' << fmt("%.4f", m.cpu_s_per_gib(r.block_size))
        << ',' << m.allocs << ',' << m.frees << ',' << fmt("%.6g", m.allocs_per_op()) << ','
        << m.verified << ',' << m.full_checks << ',' << m.involuntary_switches << ','
        << m.voluntary_switches << ',' << fmt("%.3f", m.other_load) << ',' << (r.quiet ? 1 : 0)
        << ",\"" << error << "\"\n";
  }
}

void write_summary_csv(const std::string& path, const std::vector<summary_row>& rows) {
  std::ofstream out(path);
  if (!out)
    throw std::runtime_error("cannot write " + path);
  out << "variant,block_size,qd,rounds,failures,median_ops_per_s,min_ops_per_s,max_ops_per_s,"
         "median_mb_per_s,median_cpu_us_per_op,min_cpu_us_per_op,max_cpu_us_per_op,"
         "median_cpu_s_per_gib,min_cpu_s_per_gib,max_cpu_s_per_gib,ratio_vs_raw_liburing,"
         "cpu_ratio_vs_unregistered,cpu_ratio_vs_fio\n";
  for (const auto& r : rows)
    out << r.variant << ',' << r.block_size << ',' << r.qd << ',' << r.rounds << ',' << r.failures
        << ',' << fmt("%.1f", r.median_ops) << ',' << fmt("%.1f", r.min_ops) << ','
        << fmt("%.1f", r.max_ops) << ',' << fmt("%.2f", r.median_mb_s) << ','
        << fmt("%.4f", r.median_cpu_us) << ',' << fmt("%.4f", r.min_cpu_us) << ','
        << fmt("%.4f", r.max_cpu_us) << ',' << fmt("%.4f", r.median_cpu_s_per_gib) << ','
        << fmt("%.4f", r.min_cpu_s_per_gib) << ',' << fmt("%.4f", r.max_cpu_s_per_gib) << ','
        << fmt("%.4f", r.ratio_liburing) << ',' << fmt("%.4f", r.cpu_ratio_unregistered) << ','
        << fmt("%.4f", r.cpu_ratio_fio) << '\n';
}

namespace {

void json_summary(std::ostream& out, const std::vector<summary_row>& rows) {
  out << "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out << (i ? ",\n    " : "\n    ") << "{\"variant\": " << json_string(r.variant)
        << ", \"label\": " << json_string(r.label) << ", \"block_size\": " << r.block_size
        << ", \"qd\": " << r.qd << ", \"rounds\": " << r.rounds << ", \"failures\": " << r.failures
        << ", \"error\": " << json_string(r.error)
        << ", \"median_ops_per_s\": " << json_number(r.median_ops)
        << ", \"min_ops_per_s\": " << json_number(r.min_ops)
        << ", \"max_ops_per_s\": " << json_number(r.max_ops)
        << ", \"median_mb_per_s\": " << json_number(r.median_mb_s)
        << ", \"median_cpu_s_per_gib\": " << json_number(r.median_cpu_s_per_gib)
        << ", \"cpu_ratio_vs_unregistered\": " << json_number(r.cpu_ratio_unregistered)
        << ", \"ops_ratio_vs_unregistered\": " << json_number(r.ops_ratio_unregistered)
        << ", \"cpu_ratio_vs_fio\": " << json_number(r.cpu_ratio_fio)
        << ", \"median_cpu_us_per_op\": " << json_number(r.median_cpu_us)
        << ", \"min_cpu_us_per_op\": " << json_number(r.min_cpu_us)
        << ", \"max_cpu_us_per_op\": " << json_number(r.max_cpu_us) << ", \"allocs\": " << r.allocs
        << ", \"window_ops\": " << r.ops << ", \"max_round_allocs\": " << r.max_round_allocs
        << ", \"allocs_per_op\": "
        << json_number(r.ops ? static_cast<double>(r.allocs) / static_cast<double>(r.ops) : 0)
        << ", \"ratio_vs_raw_liburing\": " << json_number(r.ratio_liburing)
        << ", \"paired_ratio_vs_raw_liburing\": " << json_number(r.paired_ratio_liburing)
        << ", \"cpu_ratio_vs_raw_liburing\": " << json_number(r.cpu_ratio_liburing)
        << ", \"ratio_vs_asio_one_object\": " << json_number(r.ratio_asio_one)
        << ", \"paired_ratio_vs_asio_one_object\": " << json_number(r.paired_ratio_asio_one)
        << ", \"quiet_paired_ratio_vs_raw_liburing\": "
        << json_number(r.quiet_paired_ratio_liburing)
        << ", \"quiet_pairs_vs_raw_liburing\": " << r.quiet_pairs_liburing
        << ", \"quiet_paired_ratio_vs_asio_one_object\": "
        << json_number(r.quiet_paired_ratio_asio_one)
        << ", \"quiet_pairs_vs_asio_one_object\": " << r.quiet_pairs_asio_one
        << ", \"median_involuntary_switches\": " << json_number(r.median_preemptions)
        << ", \"median_other_load_cpus\": " << json_number(r.median_other_load) << "}";
  }
  out << "\n  ]";
}

void json_targets(std::ostream& out, const std::vector<target_check>& targets) {
  out << "[";
  for (std::size_t i = 0; i < targets.size(); ++i)
    out << (i ? ",\n    " : "\n    ") << "{\"check\": " << json_string(targets[i].text)
        << ", \"met\": " << (targets[i].met ? "true" : "false")
        << ", \"binding\": " << (targets[i].binding ? "true" : "false")
        << ", \"finding\": " << (targets[i].finding ? "true" : "false") << "}";
  out << "\n  ]";
}

} // namespace

void write_json(const std::string& path, const meta_list& meta,
                const std::vector<round_result>& rounds, const std::vector<summary_row>& rows,
                const std::vector<target_check>& targets,
                const std::vector<summary_row>& quiet_rows,
                const std::vector<target_check>& quiet_targets) {
  std::ofstream out(path);
  if (!out)
    throw std::runtime_error("cannot write " + path);
  out << "{\n  \"meta\": {";
  for (std::size_t i = 0; i < meta.size(); ++i)
    out << (i ? ",\n    " : "\n    ") << json_string(meta[i].first) << ": "
        << json_string(meta[i].second);
  out << "\n  },\n  \"summary\": ";
  json_summary(out, rows);
  out << ",\n  \"targets\": ";
  json_targets(out, targets);
  out << ",\n  \"quiet_rounds_summary\": ";
  json_summary(out, quiet_rows);
  out << ",\n  \"quiet_rounds_targets\": ";
  json_targets(out, quiet_targets);
  out << ",\n  \"rounds\": [";
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    const auto& r = rounds[i];
    const measurement& m = r.m;
    out << (i ? ",\n    " : "\n    ") << "{\"variant\": " << json_string(r.variant)
        << ", \"block_size\": " << r.block_size << ", \"qd\": " << r.qd
        << ", \"round\": " << r.round << ", \"ok\": " << (m.ok ? "true" : "false")
        << ", \"quiet\": " << (r.quiet ? "true" : "false") << ", \"ops\": " << m.ops
        << ", \"seconds\": " << json_number(m.seconds)
        << ", \"ops_per_s\": " << json_number(m.ops_per_second())
        << ", \"mb_per_s\": " << json_number(m.mb_per_second(r.block_size))
        << ", \"cpu_s_per_gib\": " << json_number(m.cpu_s_per_gib(r.block_size))
        << ", \"user_s\": " << json_number(m.user_seconds)
        << ", \"sys_s\": " << json_number(m.sys_seconds)
        << ", \"cpu_us_per_op\": " << json_number(m.cpu_us_per_op()) << ", \"allocs\": " << m.allocs
        << ", \"frees\": " << m.frees << ", \"verified\": " << m.verified
        << ", \"full_checks\": " << m.full_checks
        << ", \"involuntary_switches\": " << m.involuntary_switches
        << ", \"voluntary_switches\": " << m.voluntary_switches
        << ", \"other_load_cpus\": " << json_number(m.other_load)
        << ", \"error\": " << json_string(m.error) << "}";
  }
  out << "\n  ]\n}\n";
}

std::string markdown(const std::vector<summary_row>& rows, const std::vector<target_check>& targets,
                     const std::string& heading_suffix) {
  std::ostringstream out;
  auto has = [&](std::uint32_t bs, unsigned qd, const char* id) {
    for (const auto& r : rows)
      if (r.block_size == bs && r.qd == qd && r.variant == id && r.rounds > 0)
        return true;
    return false;
  };
  std::uint32_t bs = 0;
  unsigned qd = 0;
  bool liburing = false, asio = false, unregistered = false, fio = false;
  for (const auto& r : rows) {
    if (r.block_size != bs || r.qd != qd) {
      bs = r.block_size;
      qd = r.qd;
      // Ratio columns only where the group has the reference.
      liburing = has(bs, qd, "raw_liburing");
      asio = has(bs, qd, "asio_file_one");
      unregistered = has(bs, qd, "lib_unregistered") && has(bs, qd, "lib_fixed");
      fio = has(bs, qd, "fio_fixed") || has(bs, qd, "fio_unregistered");
      out << "\n### " << size_text(bs) << " reads, QD " << qd << heading_suffix << "\n\n"
          << "| variant | median ops/s | spread min–max (range/median) | MB/s | CPU µs/op median "
             "(min–max) | CPU s/GiB | allocs/op |"
          << (liburing ? " × raw liburing |" : "") << (asio ? " × Asio 1 object |" : "")
          << (unregistered ? " CPU × unregistered |" : "")
          << (fio ? " CPU × fio (same registration) |" : "") << " other load (CPUs) |\n"
          << "|---|---:|---:|---:|---:|---:|---:|" << (liburing ? "---:|" : "")
          << (asio ? "---:|" : "") << (unregistered ? "---:|" : "") << (fio ? "---:|" : "")
          << "---:|\n";
    }
    out << "| " << r.label << " | ";
    if (r.rounds == 0) {
      out << "FAILED: " << r.error << " |\n";
      continue;
    }
    out << thousands(r.median_ops) << " | " << kilo(r.min_ops) << "–" << kilo(r.max_ops) << " ("
        << fmt("%.1f%%", 100 * (r.max_ops - r.min_ops) / r.median_ops) << ") | "
        << fmt("%.1f", r.median_mb_s) << " | " << fmt("%.2f", r.median_cpu_us) << " ("
        << fmt("%.2f", r.min_cpu_us) << "–" << fmt("%.2f", r.max_cpu_us) << ") | "
        << fmt("%.3f", r.median_cpu_s_per_gib) << " | " << allocs_text(r) << " | ";
    if (liburing)
      out << ratio_text(r.ratio_liburing) << " | ";
    if (asio)
      out << ratio_text(r.ratio_asio_one) << " | ";
    if (unregistered)
      out << ratio_text(r.cpu_ratio_unregistered) << " | ";
    if (fio)
      out << ratio_text(r.cpu_ratio_fio) << " | ";
    out << fmt("%.2f", r.median_other_load);
    if (r.failures)
      out << " (" << r.failures << " rounds failed: " << r.error << ")";
    out << " |\n";
  }
  for (int kind : {0, 1, 2}) { // binding targets, other targets, findings
    bool any = false;
    for (const auto& t : targets) {
      if ((kind == 2) != t.finding || (kind < 2 && t.binding != (kind == 0)))
        continue;
      if (!any)
        out << (kind == 0   ? "\nTargets"
                : kind == 1 ? "\nThe same ratios at other settings (informational)"
                            : "\nWhat the numbers say about registered buffers")
            << heading_suffix << ":\n\n";
      any = true;
      out << "- " << (t.finding ? "" : t.met ? "MET — " : "NOT MET — ") << t.text << "\n";
    }
  }
  return out.str();
}

} // namespace read_qd

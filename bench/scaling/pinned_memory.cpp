#include "pinned_memory.hpp"

#include <asio_uring_fixed/asio_uring_fixed.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <exception>
#include <fstream>
#include <memory>
#include <span>

namespace scaling {
namespace {

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;

/// VmPin and VmLck in KiB, -1 where /proc/self/status lacks the line.
std::pair<long, long> pinned_and_locked() {
  std::ifstream status("/proc/self/status");
  std::string line;
  long pin = -1, lck = -1;
  while (std::getline(status, line)) {
    if (line.rfind("VmPin:", 0) == 0)
      pin = std::stol(line.substr(6));
    else if (line.rfind("VmLck:", 0) == 0)
      lck = std::stol(line.substr(6));
  }
  return {pin, lck};
}

/// Sets row's growth of VmPin and VmLck while what make() returns is
/// alive. Rings closed earlier (the timed runs', the previous N's) give
/// their pinned memory back asynchronously, which can only lower a reading:
/// the largest growth of three attempts is the figure.
template <typename Make>
void measure_growth(pinned_row& row, Make make) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto before = pinned_and_locked();
    auto held = make();
    auto after = pinned_and_locked();
    if (before.first >= 0 && after.first >= 0)
      row.vm_pin_kib = std::max(row.vm_pin_kib, after.first - before.first);
    if (before.second >= 0 && after.second >= 0)
      row.vm_lck_kib = std::max(row.vm_lck_kib, after.second - before.second);
  }
}

} // namespace

std::vector<pinned_row> measure_pinned(const std::vector<unsigned>& ring_counts, std::size_t count,
                                       std::size_t size) {
  std::vector<pinned_row> rows;
  const auf::pool_options required{auf::registration_mode::required};
  for (unsigned n : ring_counts) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::io_context*> list;
    for (unsigned i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      list.push_back(contexts.back().get());
      asio::use_service<auf::uring_service>(*contexts.back()); // the ring, before measuring
    }
    pinned_row shared;
    shared.rings = n;
    shared.layout = "shared pool";
    shared.pool_kib = static_cast<long>(count * size / 1024);
    try {
      measure_growth(shared, [&] {
        auto pool = std::make_unique<auf::fixed_buffer_pool>(
            std::span<asio::io_context* const>(list), count, size, required);
        shared.attachments.clear();
        for (auto* c : list)
          shared.attachments += (shared.attachments.empty() ? "" : "+") +
                                std::string(auf::to_string(pool->attachment(*c)));
        return pool;
      });
    } catch (const std::exception& e) {
      shared.error = e.what();
    }
    rows.push_back(shared);

    pinned_row each = shared;
    each.layout = "pool per ring";
    each.vm_pin_kib = each.vm_lck_kib = -1;
    each.attachments.clear();
    each.error.clear();
    try {
      measure_growth(each, [&] {
        std::vector<std::unique_ptr<auf::fixed_buffer_pool>> pools;
        for (auto* c : list)
          pools.push_back(std::make_unique<auf::fixed_buffer_pool>(*c, count, size, required));
        each.attachments.clear();
        for (std::size_t i = 0; i < list.size(); ++i)
          each.attachments += (each.attachments.empty() ? "" : "+") +
                              std::string(auf::to_string(pools[i]->attachment(*list[i])));
        return pools;
      });
    } catch (const std::exception& e) {
      each.error = e.what();
    }
    rows.push_back(each);
  }
  return rows;
}

} // namespace scaling

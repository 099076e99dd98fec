#include "progress_meter.hpp"

#include "text.hpp"

#include <fmt/format.h>

namespace uring_cp {

namespace {
constexpr std::chrono::milliseconds interval{250};
}

progress_meter::progress_meter(boost::asio::io_context& io, console& out,
                               const progress_counters& counters)
    : timer_(io), out_(out), counters_(counters) {}

// The line is drawn at once and once more at the end, so every run shows
// it, however fast the copy (a copy shorter than one interval drew nothing).
void progress_meter::start() {
  running_ = true;
  start_ = std::chrono::steady_clock::now();
  draw();
  schedule();
}

void progress_meter::stop() {
  if (!running_)
    return;
  running_ = false;
  timer_.cancel();
  draw();
  out_.clear_progress();
}

void progress_meter::schedule() {
  timer_.expires_after(interval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_)
      return;
    draw();
    schedule();
  });
}

void progress_meter::draw() {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::uint64_t bytes = counters_.bytes.load(std::memory_order_relaxed);
  std::uint64_t files = counters_.files.load(std::memory_order_relaxed);
  double rate = elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0.0;
  std::uint64_t total = counters_.total_bytes;
  double eta = rate > 0 && total >= bytes ? static_cast<double>(total - bytes) / rate : -1.0;
  int percent = total ? static_cast<int>(100.0 * static_cast<double>(bytes) / total) : 100;
  out_.progress(fmt::format("{:3}%  {} / {}  {}/{} files  {}  ETA {}", percent, human_bytes(bytes),
                            human_bytes(total), files, counters_.total_files, human_rate(rate),
                            human_duration(eta)));
}

} // namespace uring_cp

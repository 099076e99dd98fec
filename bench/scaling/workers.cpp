#include "workers.hpp"

#include "../read_qd/harness.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>

namespace scaling {
namespace {

thread_local worker* current = nullptr;

double seconds_between(const timeval& a, const timeval& b) {
  return static_cast<double>(b.tv_sec - a.tv_sec) +
         static_cast<double>(b.tv_usec - a.tv_usec) * 1e-6;
}

struct mark {
  std::chrono::steady_clock::time_point time;
  rusage usage{};
  std::vector<std::uint64_t> completed;
  std::uint64_t system_busy = 0;
};

} // namespace

bool worker::complete(const void* data, std::size_t n, std::uint64_t offset) noexcept {
  completed_.store(completed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  const auto* bytes = static_cast<const unsigned char*>(data);
  bool good = n == block_size_;
  if (good) {
    std::uint64_t first, last;
    std::memcpy(&first, bytes, 8);
    std::memcpy(&last, bytes + n - 8, 8);
    good = first == read_qd::content_word(offset) && last == read_qd::content_word(offset + n - 8);
  }
  if (good && (verified_ & 63) == 0) {
    for (std::size_t i = 0; i < n && good; i += 8) {
      std::uint64_t v;
      std::memcpy(&v, bytes + i, 8);
      good = v == read_qd::content_word(offset + i);
    }
  }
  ++verified_;
  if (!good) {
    char text[160];
    std::snprintf(text, sizeof text, "%s: %zu bytes at offset %llu",
                  n == block_size_ ? "wrong data" : "short read", n,
                  static_cast<unsigned long long>(offset));
    fail(text);
    return false;
  }
  return keep_going();
}

void worker::fail(const std::string& what) {
  {
    std::lock_guard lock(error_mutex_);
    if (error_.empty())
      error_ = what;
  }
  stop_.store(true, std::memory_order_relaxed);
}

worker& this_worker() noexcept {
  return *current;
}

measurement failed(std::string why) {
  measurement m;
  m.error = std::move(why);
  return m;
}

measurement run_on_threads(const config& cfg, const std::function<void(unsigned)>& body) {
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::string error;
  std::vector<std::unique_ptr<worker>> workers;
  for (unsigned t = 0; t < cfg.threads; ++t)
    workers.push_back(std::make_unique<worker>(cfg, stop, error_mutex, error));

  std::barrier start(static_cast<std::ptrdiff_t>(cfg.threads) + 1);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < cfg.threads; ++t)
    threads.emplace_back([&, t] {
      current = workers[t].get();
      start.arrive_and_wait();
      try {
        body(t);
      } catch (const std::exception& e) {
        current->fail(std::string("exception: ") + e.what());
      }
      current = nullptr;
    });

  auto take = [&](mark& m, bool opening) {
    if (opening)
      m.system_busy = read_qd::system_busy_jiffies();
    m.completed.clear();
    for (auto& w : workers)
      m.completed.push_back(w->completed());
    ::getrusage(RUSAGE_SELF, &m.usage);
    m.time = std::chrono::steady_clock::now();
    if (!opening)
      m.system_busy = read_qd::system_busy_jiffies();
  };
  auto sleep_for = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
  mark open, close;
  open.completed.reserve(cfg.threads);
  close.completed.reserve(cfg.threads);
  start.arrive_and_wait();
  sleep_for(cfg.warmup_seconds);
  take(open, true);
  sleep_for(cfg.window_seconds);
  take(close, false);
  stop.store(true, std::memory_order_relaxed);
  for (auto& t : threads)
    t.join();

  measurement m;
  for (auto& w : workers)
    m.verified += w->verified();
  if (!error.empty()) {
    m.error = error;
    return m;
  }
  for (unsigned t = 0; t < cfg.threads; ++t) {
    m.ops_per_thread.push_back(close.completed[t] - open.completed[t]);
    m.ops += m.ops_per_thread.back();
  }
  m.seconds = std::chrono::duration<double>(close.time - open.time).count();
  m.user_seconds = seconds_between(open.usage.ru_utime, close.usage.ru_utime);
  m.sys_seconds = seconds_between(open.usage.ru_stime, close.usage.ru_stime);
  m.involuntary_switches = close.usage.ru_nivcsw - open.usage.ru_nivcsw;
  if (open.system_busy && close.system_busy && m.seconds > 0) {
    static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double busy = static_cast<double>(close.system_busy - open.system_busy) / hz;
    m.other_load = std::max(0.0, busy - m.user_seconds - m.sys_seconds) / m.seconds;
  }
  if (m.ops == 0) {
    m.error = "no read completed inside the window";
    return m;
  }
  m.ok = true;
  return m;
}

} // namespace scaling

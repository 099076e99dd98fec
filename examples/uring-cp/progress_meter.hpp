// progress_meter: redraws "bytes, files, rate, ETA" in place on stderr a few
// times a second while a run goes on.
#pragma once

#include "console.hpp"
#include "progress_counters.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace uring_cp {

class progress_meter {
 public:
  progress_meter(boost::asio::io_context& io, console& out, const progress_counters& counters);

  /// Starts redrawing every 250 ms (nothing happens unless started).
  void start();
  /// Stops and erases the line.
  void stop();

 private:
  void schedule();
  void draw();

  boost::asio::steady_timer timer_;
  console& out_;
  const progress_counters& counters_;
  std::chrono::steady_clock::time_point start_;
  bool running_ = false;
};

} // namespace uring_cp

// console: every line the tool prints goes through here, so that messages,
// verbose output and the in-place progress line never garble each other.
// Safe to use from several threads.
#pragma once

#include <atomic>
#include <mutex>
#include <string_view>

namespace uring_cp {

class console {
 public:
  /// Errors: "uring-cp: <message>" on stderr; marks the run as failed.
  void error(std::string_view message);

  /// Diagnostics that do not change the exit status, worded like errors
  /// ("uring-cp: <message>"), as cp prints some failures to copy xattrs.
  void notice(std::string_view message);

  /// Warnings: "uring-cp: warning: <message>" on stderr; not a failure.
  void warning(std::string_view message);

  /// A plain line on stdout (verbose output, cp -v style).
  void line(std::string_view text);

  /// Redraws the progress line in place on stderr ("\r...\x1b[K").
  void progress(std::string_view text);

  /// Erases the progress line, if one is drawn.
  void clear_progress();

  /// True once error() has been called.
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }

 private:
  void clear_progress_locked();

  std::mutex mutex_;
  bool progress_drawn_ = false;
  std::atomic<bool> failed_{false};
};

} // namespace uring_cp

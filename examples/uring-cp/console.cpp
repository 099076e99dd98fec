#include "console.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace {

// Output errors (a closed stdout, a full disk behind a redirection) must not
// stop a copy half way, so fmt's exceptions end here.
template <typename... Args>
void print_quietly(std::FILE* f, fmt::format_string<Args...> format, Args&&... args) noexcept {
  try {
    fmt::print(f, format, std::forward<Args>(args)...);
  } catch (...) {
  }
}

} // namespace

namespace uring_cp {

void console::clear_progress_locked() {
  if (progress_drawn_) {
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    progress_drawn_ = false;
  }
}

void console::error(std::string_view message) {
  failed_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  clear_progress_locked();
  std::fflush(stdout);
  print_quietly(stderr, "uring-cp: {}\n", message);
  std::fflush(stderr);
}

void console::notice(std::string_view message) {
  std::lock_guard lock(mutex_);
  clear_progress_locked();
  std::fflush(stdout);
  print_quietly(stderr, "uring-cp: {}\n", message);
  std::fflush(stderr);
}

void console::warning(std::string_view message) {
  std::lock_guard lock(mutex_);
  clear_progress_locked();
  std::fflush(stdout);
  print_quietly(stderr, "uring-cp: warning: {}\n", message);
  std::fflush(stderr);
}

void console::line(std::string_view text) {
  std::lock_guard lock(mutex_);
  clear_progress_locked();
  print_quietly(stdout, "{}\n", text);
  std::fflush(stdout);
}

void console::progress(std::string_view text) {
  std::lock_guard lock(mutex_);
  print_quietly(stderr, "\r{}\x1b[K", text);
  std::fflush(stderr);
  progress_drawn_ = true;
}

void console::clear_progress() {
  std::lock_guard lock(mutex_);
  clear_progress_locked();
}

} // namespace uring_cp

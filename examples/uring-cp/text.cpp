#include "text.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace uring_cp {

std::string quote(std::string_view text) {
  if (text.find('\'') == std::string_view::npos)
    return fmt::format("'{}'", text);
  if (text.find_first_of("\"$`\\") == std::string_view::npos)
    return fmt::format("\"{}\"", text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string quote(const std::filesystem::path& path) {
  return quote(std::string_view(path.native()));
}

std::string human_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 6> units{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < units.size()) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0)
    return fmt::format("{} B", bytes);
  return fmt::format("{:.{}f} {}", value, value < 10.0 ? 2 : 1, units[unit]);
}

std::string human_rate(double bytes_per_second) {
  return fmt::format("{:.1f} MB/s", bytes_per_second / 1e6);
}

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "--:--";
  auto s = static_cast<std::uint64_t>(seconds + 0.5);
  if (s >= 3600)
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

} // namespace uring_cp

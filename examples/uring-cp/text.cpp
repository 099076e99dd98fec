#include "text.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace uring_cp {

namespace {

/// Length of the UTF-8 sequence at the start of text that a terminal may
/// print as it is (a printable character), or 0 for a byte that must be
/// escaped: C0 and C1 controls, DEL, and bytes that are not valid UTF-8
/// (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t printable_length(std::string_view text) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char c = b(0);
  if (c < 0x20 || c == 0x7f)
    return 0;
  if (c < 0x80)
    return 1;
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (n == 0 || c > 0xf4 || text.size() < n)
    return 0;
  char32_t cp = c & (0x7f >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (b(i) & 0x3f);
  }
  static constexpr char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
    return 0;
  return n;
}

/// A byte as bash writes it inside $'...'.
void append_escaped(std::string& out, unsigned char c) {
  switch (c) {
  case '\a':
    out += "\\a";
    return;
  case '\b':
    out += "\\b";
    return;
  case '\t':
    out += "\\t";
    return;
  case '\n':
    out += "\\n";
    return;
  case '\v':
    out += "\\v";
    return;
  case '\f':
    out += "\\f";
    return;
  case '\r':
    out += "\\r";
    return;
  default:
    out += fmt::format("\\{:03o}", c);
  }
}

/// Single-quoted for the shell: 'it'\''s'.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

} // namespace

std::string quote(std::string_view text) {
  bool printable = true;
  for (std::size_t i = 0, n = 0; i < text.size() && printable; i += n)
    printable = (n = printable_length(text.substr(i))) != 0;
  if (printable) {
    if (text.find('\'') == std::string_view::npos)
      return fmt::format("'{}'", text);
    if (text.find_first_of("\"$`\\") == std::string_view::npos)
      return fmt::format("\"{}\"", text);
    return single_quoted(text);
  }
  // Control characters or bytes that are not UTF-8 (cp's shell-escape
  // style): printable runs single-quoted, the rest as $'\n' or $'\377', so
  // the message cannot move the cursor or change the terminal, and the name
  // can be pasted back into bash.
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i, n = 0;
    while (run < text.size() && (n = printable_length(text.substr(run))) != 0)
      run += n;
    if (run > i) {
      out += single_quoted(text.substr(i, run - i));
      i = run;
      continue;
    }
    out += "$'";
    while (i < text.size() && printable_length(text.substr(i)) == 0)
      append_escaped(out, static_cast<unsigned char>(text[i++]));
    out += "'";
  }
  return out;
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

// Text helpers for messages: cp-style quoting of names, human-readable sizes,
// rates and durations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace uring_cp {

/// A name quoted the way cp quotes it in messages: 'name', or "name" when it
/// contains a single quote; a name with control characters or bytes that are
/// not valid UTF-8 is written the way bash reads it back, e.g. 'a'$'\n''b' or
/// 'x'$'\377', so printing it cannot disturb the terminal.
std::string quote(std::string_view text);
std::string quote(const std::filesystem::path& path);

/// Binary units: 1536 -> "1.5 KiB", 5 -> "5 B".
std::string human_bytes(std::uint64_t bytes);

/// Decimal megabytes per second: "512.3 MB/s".
std::string human_rate(double bytes_per_second);

/// Minutes and seconds: "0:07", "12:30", or hours "1:02:03".
std::string human_duration(double seconds);

} // namespace uring_cp

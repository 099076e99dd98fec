// failure: why one item could not be copied, ready to print.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace uring_cp {

/// One item's failure. `message` is complete except for the "uring-cp: "
/// prefix. An interrupted copy (SIGINT/SIGTERM) is a failure that is not
/// reported per file.
struct failure {
  std::string message;
  bool interrupted = false;
};

/// "<what> '<path>': <strerror(err)>", e.g. "cannot stat 'x': No such file or
/// directory".
failure path_failure(std::string_view what, const std::filesystem::path& path, int err);
failure path_failure(std::string_view what, const std::filesystem::path& path,
                     const std::error_code& ec);

/// The failure that stands for "stopped by a signal".
inline failure interrupted() {
  return failure{{}, true};
}

} // namespace uring_cp

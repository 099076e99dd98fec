#include "failure.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <cstring>

namespace uring_cp {

failure path_failure(std::string_view what, const std::filesystem::path& path, int err) {
  return failure{fmt::format("{} {}: {}", what, quote(path), std::strerror(err))};
}

failure path_failure(std::string_view what, const std::filesystem::path& path,
                     const std::error_code& ec) {
  return failure{fmt::format("{} {}: {}", what, quote(path), ec.message())};
}

} // namespace uring_cp

// uring-cp: a cp for files and trees, built on asio_uring_fixed.
// See `uring-cp --help`; the parts are described in copy_run.hpp.

#include "copy_run.hpp"
#include "options.hpp"

#include <fmt/format.h>

#include <exception>
#include <variant>

int main(int argc, char** argv) {
  try {
    auto parsed = uring_cp::parse_options(argc, argv);
    if (const int* status = std::get_if<int>(&parsed))
      return *status;
    return uring_cp::run_copy(std::get<uring_cp::options>(parsed));
  } catch (const std::exception& e) {
    fmt::print(stderr, "uring-cp: {}\n", e.what());
    return 1;
  }
}

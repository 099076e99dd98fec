// Command-line options of uring-cp.
#pragma once

#include "copy_method.hpp"

#include <cstddef>
#include <filesystem>
#include <variant>
#include <vector>

namespace uring_cp {

/// Which symbolic links in sources are followed (cp's -L / -H / -P).
enum class dereference {
  always,       ///< -L, and the default without -r
  command_line, ///< -H
  never,        ///< -P, and the default with -r / -a
};

enum class progress_mode { automatic, on, off };

struct options {
  std::vector<std::filesystem::path> sources;
  std::filesystem::path target;

  bool recursive = false;
  bool preserve = false;   ///< -p: mode, ownership (when permitted), timestamps
  bool no_clobber = false; ///< -n: never overwrite
  bool force = false;      ///< -f: replace destinations we could not write
  bool verbose = false;
  dereference deref = dereference::always;

  copy_method method = copy_method::automatic;
  std::size_t queue_depth = 32;
  std::size_t block_size = std::size_t{1} << 20;
  bool direct = false;
  bool fsync = false;
  bool verify = false;
  progress_mode progress = progress_mode::automatic;
};

/// Parses the command line. Returns the options, or the exit status to leave
/// with right away (0 after --help / --version, 1 after a usage error, whose
/// message has been printed).
std::variant<options, int> parse_options(int argc, char** argv);

} // namespace uring_cp

#include "options.hpp"

#include "text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <map>
#include <string>

#ifndef URING_CP_VERSION
#define URING_CP_VERSION "0.0.0"
#endif

namespace uring_cp {
namespace {

constexpr const char* footer = R"(Methods:
  auto    with --direct: fixed; else kernel within one filesystem, posix across
  fixed   io_uring pipeline, registered buffers (READ_FIXED linked to WRITE_FIXED)
  plain   the same pipeline with unregistered buffers
  posix   pread/pwrite loop
  kernel  reflink (FICLONE), else copy_file_range; pread/pwrite where refused

Every file is written to a temporary '.NAME.uring-cp.PID.XXXXXX' beside its
destination and renamed into place when complete; on error, SIGINT or SIGTERM
the temporary is removed and an existing destination is left untouched. One
left by a killed run is removed by the next run that writes NAME. A source
that changes while it is copied is not copied ("source changed during copy").
Exit status: 0 if all went well, 1 if anything failed, 130/143/129 when
stopped by SIGINT/SIGTERM/SIGHUP.)";

} // namespace

std::variant<options, int> parse_options(int argc, char** argv) {
  options o;
  CLI::App app{"Copy SOURCE to DEST, or SOURCE... into DIRECTORY, through io_uring with\n"
               "registered buffers (asio_uring_fixed).",
               "uring-cp"};
  app.footer(footer);
  app.set_version_flag("--version", std::string("uring-cp ") + URING_CP_VERSION);

  bool archive = false, no_deref = false, deref_all = false, deref_args = false;
  bool progress_on = false, progress_off = false;
  std::vector<std::string> paths;

  app.add_flag("-r,-R,--recursive", o.recursive, "copy directories recursively");
  app.add_flag("-p", o.preserve, "preserve mode, ownership (when permitted) and timestamps");
  app.add_flag("-a,--archive", archive, "same as -rpP: trees, attributes, symlinks as links");
  app.add_flag("-n,--no-clobber", o.no_clobber, "never overwrite an existing file");
  app.add_flag("-f,--force", o.force, "replace an existing destination even if it is not writable");
  app.add_flag("-v,--verbose", o.verbose, "explain what is being done, and a summary");
  app.add_flag("-P,--no-dereference", no_deref, "copy symbolic links in SOURCE as links");
  app.add_flag("-L,--dereference", deref_all, "always follow symbolic links in SOURCE");
  app.add_flag("-H", deref_args, "follow symbolic links named on the command line");

  std::map<std::string, copy_method> methods{{"auto", copy_method::automatic},
                                             {"fixed", copy_method::fixed},
                                             {"plain", copy_method::plain},
                                             {"posix", copy_method::posix},
                                             {"kernel", copy_method::kernel}};
  std::string method = "auto";
  app.add_option("--method", method, "auto|fixed|plain|posix|kernel (default auto)")
      ->check(CLI::IsMember(methods, CLI::ignore_case));
  app.add_option("--queue-depth", o.queue_depth,
                 "blocks in flight in the pipeline, and buffers in its pool (default 32)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--block-size", o.block_size, "bytes per I/O, K/M/G suffixes (default 1M)")
      ->transform(CLI::AsSizeValue(false));
  app.add_flag("--direct", o.direct,
               "O_DIRECT on both sides, destination preallocated (fixed, plain, posix)");
  app.add_flag("--fsync", o.fsync, "make each file durable before it is renamed into place");
  app.add_flag("--verify", o.verify, "re-read source and copy and compare (XXH3-64)");
  app.add_flag("--progress", progress_on, "show progress even when stderr is not a terminal");
  app.add_flag("--no-progress", progress_off, "never show progress");
  app.add_option("SOURCE... DEST", paths, "files and directories to copy, then the target")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    fmt::print(stderr, "uring-cp: {}\nTry 'uring-cp --help' for more information.\n", e.what());
    return 1;
  }

  o.method = methods.at(CLI::detail::to_lower(method));
  auto usage_error = [](std::string_view message) {
    fmt::print(stderr, "uring-cp: {}\nTry 'uring-cp --help' for more information.\n", message);
    return 1;
  };
  if (paths.size() < 2)
    return usage_error(fmt::format("missing destination file operand after {}",
                                   quote(std::string_view(paths.front()))));
  if (o.block_size < 512 || o.block_size > (std::size_t{1} << 30))
    return usage_error("--block-size must be between 512 bytes and 1 GiB");
  if (o.direct && o.method == copy_method::kernel)
    return usage_error("--direct cannot be used with --method=kernel (the kernel chooses how "
                       "copy_file_range reads and writes)");
  if (o.direct && o.block_size % 4096 != 0)
    return usage_error("--block-size must be a multiple of 4 KiB with --direct");
  if (progress_on && progress_off)
    return usage_error("--progress and --no-progress are exclusive");

  if (archive) {
    o.recursive = true;
    o.preserve = true;
    no_deref = true;
  }
  o.deref = o.recursive ? dereference::never : dereference::always;
  if (deref_args)
    o.deref = dereference::command_line;
  if (deref_all)
    o.deref = dereference::always;
  if (no_deref)
    o.deref = dereference::never;
  if (o.no_clobber)
    o.force = false;
  o.progress = progress_on    ? progress_mode::on
               : progress_off ? progress_mode::off
                              : progress_mode::automatic;
  o.target = paths.back();
  paths.pop_back();
  o.sources.assign(paths.begin(), paths.end());
  return o;
}

} // namespace uring_cp

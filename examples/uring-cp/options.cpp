#include "options.hpp"

#include "text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <string_view>

#ifndef URING_CP_VERSION
#define URING_CP_VERSION "0.0.0"
#endif

namespace uring_cp {
namespace {

constexpr const char* footer =
    R"(Attributes (--preserve=LIST, --no-preserve=LIST; -p = mode,ownership,timestamps;
-a = -rP --preserve=all; applied in the order given):
  mode        permission bits and ACLs
  ownership   owner and group, where permitted
  timestamps  access and modification times (ns)
  links       names of one source inode stay one inode (hard links)
  xattr       extended attributes (refusals silent with -a, errors when named)
  context     SELinux label
  all         all of the above

Paths of any length: trees are walked and written through directory
descriptors.

Methods:
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

constexpr const char* attribute_names[] = {"mode",    "timestamps", "ownership", "links",
                                           "context", "xattr",      "all"};

bool selinux_enabled() {
  return ::access("/sys/fs/selinux/enforce", F_OK) == 0;
}

/// Applies one --preserve / --no-preserve list (comma-separated attribute
/// names) to keep. Returns the first name that is not an attribute, or "".
std::string apply_attribute_list(std::string_view list, bool on, preserve_set& keep) {
  for (;;) {
    std::size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    if (name == "mode") {
      keep.mode = on;
    } else if (name == "timestamps") {
      keep.timestamps = on;
    } else if (name == "ownership") {
      keep.ownership = on;
    } else if (name == "links") {
      keep.links = on;
    } else if (name == "context") {
      keep.context = on;
      keep.context_required = on;
    } else if (name == "xattr") {
      keep.xattr = on;
      keep.xattr_required = on;
    } else if (name == "all") {
      keep.mode = keep.timestamps = keep.ownership = keep.links = keep.xattr = on;
      keep.context = on && selinux_enabled();
      if (!on)
        keep.xattr_required = keep.context_required = false;
    } else {
      return std::string(name);
    }
    if (comma == std::string_view::npos)
      return {};
    list.remove_prefix(comma + 1);
  }
}

/// cp's --preserve and --reflink take their values only as --preserve=LIST
/// and --reflink=WHEN; a bare --preserve is mode,ownership,timestamps and a
/// bare --reflink is always. CLI11 would take the next word as the value, so
/// the bare forms are rewritten before parsing (up to a "--").
std::vector<std::string> rewrite_bare_options(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 1; i < args.size() && args[i] != "--"; ++i)
    if (args[i] == "--preserve")
      args[i] = "--preserve=mode,ownership,timestamps";
    else if (args[i] == "--reflink")
      args[i] = "--reflink=always";
  return args;
}

} // namespace

std::variant<options, int> parse_options(int argc, char** argv) {
  options o;
  CLI::App app{"Copy SOURCE to DEST, or SOURCE... into DIRECTORY, through io_uring with\n"
               "registered buffers (asio_uring_fixed).",
               "uring-cp"};
  app.footer(footer);
  app.set_version_flag("--version", std::string("uring-cp ") + URING_CP_VERSION);

  bool archive = false, preserve_basic = false, no_deref = false, deref_all = false,
       deref_args = false;
  bool progress_on = false, progress_off = false;
  std::vector<std::string> paths, preserve_lists, no_preserve_lists;
  std::string target_directory;

  app.add_flag("-r,-R,--recursive", o.recursive, "copy directories recursively");
  auto* p_flag = app.add_flag("-p", preserve_basic, "same as --preserve=mode,ownership,timestamps");
  auto* a_flag = app.add_flag("-a,--archive", archive,
                              "same as -rP --preserve=all: trees, attributes, hard links, "
                              "symlinks as links");
  auto* preserve_option =
      app.add_option("--preserve", preserve_lists,
                     "preserve the attributes (default: mode,ownership,timestamps); "
                     "also links, xattr, context, all")
          ->type_name("[=LIST]")
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  auto* no_preserve_option =
      app.add_option("--no-preserve", no_preserve_lists, "don't preserve these attributes")
          ->type_name("=LIST")
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("-n,--no-clobber", o.no_clobber, "never overwrite an existing file");
  app.add_flag("-u,--update", o.update,
               "copy only when SOURCE is newer than the destination, or it is missing");
  app.add_flag("-f,--force", o.force, "replace an existing destination even if it is not writable");
  app.add_option("-t,--target-directory", target_directory,
                 "copy all SOURCE arguments into DIRECTORY")
      ->type_name("DIRECTORY");
  app.add_flag("-T,--no-target-directory", o.no_target_directory, "treat DEST as a normal file");
  app.add_flag("--parents", o.parents, "use full source file name under DIRECTORY");
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
  std::map<std::string, reflink_mode> reflinks{{"auto", reflink_mode::automatic},
                                               {"always", reflink_mode::always},
                                               {"never", reflink_mode::never}};
  std::string reflink = "auto";
  app.add_option("--reflink", reflink,
                 "clone (FICLONE) the data: auto where the filesystem can (default), always "
                 "(or fail; bare --reflink), never (nor copy_file_range)")
      ->check(CLI::IsMember(reflinks));
  std::map<std::string, sparse_mode> sparses{{"auto", sparse_mode::automatic},
                                             {"always", sparse_mode::always},
                                             {"never", sparse_mode::never}};
  std::string sparse = "auto";
  app.add_option("--sparse", sparse,
                 "holes: auto keeps those of the source (default), always also makes one of "
                 "every 4 KiB block of zeros, never writes them as zeros")
      ->check(CLI::IsMember(sparses));
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
  app.add_option("SOURCE... DEST", paths, "files and directories to copy, then the target");

  try {
    std::vector<std::string> args = rewrite_bare_options(argc, argv);
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1); // CLI11 wants them reversed
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    fmt::print(stderr, "uring-cp: {}\nTry 'uring-cp --help' for more information.\n", e.what());
    return 1;
  }

  o.method = methods.at(CLI::detail::to_lower(method));
  o.reflink = reflinks.at(reflink);
  o.sparse = sparses.at(sparse);
  auto usage_error = [](std::string_view message) {
    fmt::print(stderr, "uring-cp: {}\nTry 'uring-cp --help' for more information.\n", message);
    return 1;
  };

  // -p, -a, --preserve and --no-preserve in the order given (cp's rule:
  // "-a --no-preserve=mode" keeps everything but the mode).
  std::size_t next_preserve = 0, next_no_preserve = 0;
  for (const CLI::Option* opt : app.parse_order()) {
    if (opt == p_flag) {
      o.keep.mode = o.keep.ownership = o.keep.timestamps = true;
    } else if (opt == a_flag) {
      o.keep.mode = o.keep.ownership = o.keep.timestamps = o.keep.links = o.keep.xattr = true;
      o.keep.context = selinux_enabled();
      o.keep.quiet_xattr = true;
    } else if (opt == preserve_option || opt == no_preserve_option) {
      bool on = opt == preserve_option;
      const std::string& list =
          on ? preserve_lists.at(next_preserve++) : no_preserve_lists.at(next_no_preserve++);
      std::string bad = apply_attribute_list(list, on, o.keep);
      if (!bad.empty()) {
        std::string valid;
        for (const char* name : attribute_names)
          valid += fmt::format("  - '{}'\n", name);
        fmt::print(stderr,
                   "uring-cp: invalid argument {} for '{}'\nValid arguments are:\n{}Try "
                   "'uring-cp --help' for more information.\n",
                   quote(std::string_view(bad)), on ? "--preserve" : "--no-preserve", valid);
        return 1;
      }
    }
  }
  if (o.keep.context_required && !selinux_enabled()) {
    fmt::print(stderr, "uring-cp: cannot preserve security context without an SELinux-enabled "
                       "kernel\n");
    return 1;
  }

  if (!target_directory.empty() && o.no_target_directory)
    return usage_error("cannot combine --target-directory (-t) and --no-target-directory (-T)");
  if (paths.empty())
    return usage_error("missing file operand");
  if (target_directory.empty() && paths.size() < 2)
    return usage_error(fmt::format("missing destination file operand after {}",
                                   quote(std::string_view(paths.front()))));
  if (o.no_target_directory && paths.size() > 2)
    return usage_error(fmt::format("extra operand {}", quote(std::string_view(paths[2]))));
  if (o.parents && o.no_target_directory)
    return usage_error("with --parents, the destination must be a directory");
  if (o.block_size < 512 || o.block_size > (std::size_t{1} << 30))
    return usage_error("--block-size must be between 512 bytes and 1 GiB");
  if (o.direct && o.method == copy_method::kernel)
    return usage_error("--direct cannot be used with --method=kernel (the kernel chooses how "
                       "copy_file_range reads and writes)");
  if (o.reflink == reflink_mode::always &&
      (o.direct || (o.method != copy_method::automatic && o.method != copy_method::kernel)))
    return usage_error("--reflink=always needs the kernel method (only it clones), without "
                       "--direct");
  if (o.reflink == reflink_mode::always && o.sparse != sparse_mode::automatic)
    return usage_error("--reflink can be used only with --sparse=auto");
  if (o.sparse == sparse_mode::always && o.method != copy_method::automatic &&
      o.method != copy_method::posix)
    return usage_error("--sparse=always needs the posix method (zero blocks are found in "
                       "memory; the others never see the data)");
  if (o.sparse == sparse_mode::never && o.method == copy_method::kernel)
    return usage_error("--sparse=never cannot be used with --method=kernel (a clone or "
                       "copy_file_range may keep the holes)");
  if (o.reflink == reflink_mode::never && o.method == copy_method::kernel)
    return usage_error("--reflink=never cannot be used with --method=kernel (copy_file_range "
                       "may clone)");
  if (o.direct && o.block_size % 4096 != 0)
    return usage_error("--block-size must be a multiple of 4 KiB with --direct");
  if (progress_on && progress_off)
    return usage_error("--progress and --no-progress are exclusive");

  if (archive) {
    o.recursive = true;
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
  if (!target_directory.empty()) {
    o.target = target_directory;
    o.target_directory = true;
  } else {
    o.target = paths.back();
    paths.pop_back();
  }
  o.sources.assign(paths.begin(), paths.end());
  return o;
}

} // namespace uring_cp

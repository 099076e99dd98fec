#include "copy_run.hpp"

#include "blocking_copier.hpp"
#include "console.hpp"
#include "copy_plan.hpp"
#include "pipeline_setup.hpp"
#include "progress_meter.hpp"
#include "run_context.hpp"
#include "stale_temporaries.hpp"
#include "text.hpp"
#include "tree_builder.hpp"
#include "uring_pipeline.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

namespace uring_cp {
namespace {

namespace asio = boost::asio;

/// SIGINT, SIGTERM and SIGHUP are blocked while threads are created (so that
/// every thread inherits the block and only the main thread takes them), and
/// unblocked once the signal_set is watching. SIGPIPE is ignored: a closed
/// stdout must not kill the process with temporaries left behind.
class signal_block {
 public:
  signal_block() {
    std::signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  ~signal_block() { release(); }
  void release() {
    if (blocked_) {
      blocked_ = false;
      ::pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
    }
  }

 private:
  sigset_t set_{};
  bool blocked_ = true;
};

mode_t current_umask() {
  mode_t m = ::umask(0);
  ::umask(m);
  return m;
}

/// Files the pipeline may hold open at once (two descriptors each), within
/// RLIMIT_NOFILE.
std::size_t open_file_limit(std::size_t queue_depth) {
  rlimit rl{};
  std::size_t by_limit = 256;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    by_limit = rl.rlim_cur > 64 ? static_cast<std::size_t>((rl.rlim_cur - 64) / 2) : 1;
  return std::clamp<std::size_t>(2 * queue_depth, 1, std::max<std::size_t>(by_limit, 1));
}

unsigned worker_threads(copy_method method) {
  if (uses_pipeline(method))
    return 2; // each file's finalize step (attributes, link or rename, fsync, --verify)
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp(hw, 2u, 4u);
}

} // namespace

int run_copy(const options& opts) {
  console out;
  progress_counters counters;
  run_context ctx{opts, out, counters};
  ctx.umask = current_umask();
  signal_block blocked;
  auto started = std::chrono::steady_clock::now();

  copy_plan plan = make_plan(opts, out);
  if (plan.fatal)
    return 1;
  remove_stale_temporaries(plan, opts.verbose, out);
  counters.total_bytes = plan.total_bytes;
  counters.total_files = plan.files.size();

  method_choice choice =
      choose_method(opts.method, opts.direct, plan.crosses_filesystems, opts.reflink, opts.sparse);
  if (opts.verbose)
    out.line(choice.reason.empty()
                 ? fmt::format("method: {}", to_string(choice.method))
                 : fmt::format("method: {} (auto: {})", to_string(choice.method), choice.reason));

  asio::io_context io(1);
  std::optional<asio_uring_fixed::fixed_buffer_pool> pool;
  if (uses_pipeline(choice.method) && !plan.files.empty()) {
    pool = make_pool(io, choice.method, choice.reason.empty(), shape_pool(opts, plan), out);
    if (!pool)
      return 1;
    if (opts.verbose)
      out.line(describe_pipeline(io, *pool));
  }
  asio::thread_pool workers(worker_threads(choice.method));
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  blocked.release();

  tree_builder tree(plan, ctx);
  tree.make_directories();
  tree.make_others();

  progress_meter meter(io, out, counters);
  if (opts.progress == progress_mode::on ||
      (opts.progress == progress_mode::automatic && ::isatty(STDERR_FILENO)))
    meter.start();

  std::unique_ptr<uring_pipeline> pipeline;
  std::unique_ptr<blocking_copier> copier;
  auto finished = [&] {
    signals.cancel();
    meter.stop();
  };
  if (pool) {
    pipeline = std::make_unique<uring_pipeline>(io, workers, *pool,
                                                open_file_limit(opts.queue_depth), ctx);
    pipeline->start(tree.runnable_files(), finished);
  } else {
    copy_method method = uses_pipeline(choice.method) ? copy_method::posix : choice.method;
    copier = std::make_unique<blocking_copier>(io, workers, worker_threads(method), ctx, method);
    copier->start(tree.runnable_files(), finished);
  }

  int stopped_by = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec)
      return;
    stopped_by = signal;
    ctx.stopping = true;
    meter.stop();
    out.error(fmt::format("interrupted by {}: stopping, removing partial files",
                          signal == SIGINT    ? "SIGINT"
                          : signal == SIGTERM ? "SIGTERM"
                                              : "SIGHUP"));
    if (pipeline)
      pipeline->stop();
  });

  io.run();
  workers.join();
  tree.make_links();
  tree.finish_directories();

  if (opts.verbose) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::uint64_t bytes = counters.bytes.load();
    std::string detail;
    if (pipeline)
      detail = fmt::format(", {} blocks, max files open at once {}, buffers {}registered",
                           pipeline->blocks_done(), pipeline->most_files_open(),
                           pool->registered() ? "" : "not ");
    else if (copier && choice.method == copy_method::kernel)
      detail = ", " + copier->kernel_summary();
    if (opts.direct)
      detail += fmt::format(", {} with O_DIRECT", counters.direct_files.load());
    out.line(fmt::format("copied {} in {} of {} files in {:.3f} s: {}, method {}{}",
                         human_bytes(bytes), counters.copied_files.load(), counters.total_files,
                         seconds, human_rate(seconds > 0 ? bytes / seconds : 0.0),
                         to_string(choice.method), detail));
  }
  if (stopped_by)
    return 128 + stopped_by;
  return out.failed() ? 1 : 0;
}

} // namespace uring_cp

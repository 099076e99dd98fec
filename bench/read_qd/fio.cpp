// Variants: fio with ioengine=io_uring, fixedbufs=1 and fixedbufs=0, the
// reference the library's CPU per I/O is held against. fio runs as a child
// process on the same file with the same block size, pattern, queue depth
// and O_DIRECT setting, one job; its JSON output gives the I/O count, the
// runtime and the CPU use (usr_cpu + sys_cpu, percent of the job's runtime,
// from fio's own getrusage, 1 ms resolution). fio has no warm-up by count:
// its figures cover every I/O it issued, ring setup and registration
// excluded.
#include "variants.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace read_qd {
namespace {

std::vector<std::string> commands_seen;

// The number after "key" : in fio's JSON, searching from `from`; npos-safe.
bool number_after(const std::string& text, const char* key, std::size_t from, double& value,
                  std::size_t* at = nullptr) {
  std::string needle = std::string("\"") + key + "\" :";
  std::size_t p = text.find(needle, from);
  if (p == std::string::npos)
    return false;
  const char* start = text.c_str() + p + needle.size();
  char* end = nullptr;
  value = std::strtod(start, &end);
  if (end == start)
    return false;
  if (at)
    *at = p;
  return true;
}

double cpu_seconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Busy jiffies of all CPUs (as the harness counts them), 0 if unreadable.
std::uint64_t busy_jiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long f[8] = {};
  in >> cpu;
  for (auto& v : f)
    in >> v;
  return in ? f[0] + f[1] + f[2] + f[5] + f[6] + f[7] : 0;
}

measurement run_fio(const config& cfg, bool fixed) {
  measurement m;
  char out_path[] = "/tmp/read_qd_fio-XXXXXX";
  int out_fd = ::mkstemp(out_path);
  if (out_fd < 0) {
    m.error = "mkstemp: " + std::string(std::strerror(errno));
    return m;
  }
  ::close(out_fd);
  std::vector<std::string> args = {cfg.fio,
                                   "--name=read_qd",
                                   "--filename=" + cfg.path,
                                   "--ioengine=io_uring",
                                   std::string("--fixedbufs=") + (fixed ? "1" : "0"),
                                   std::string("--direct=") + (cfg.direct ? "1" : "0"),
                                   std::string("--rw=") + (cfg.sequential ? "read" : "randread"),
                                   "--bs=" + std::to_string(cfg.block_size),
                                   "--blockalign=4096",
                                   "--iodepth=" + std::to_string(cfg.qd),
                                   "--numjobs=1",
                                   "--size=" + std::to_string(cfg.file_size),
                                   "--io_size=" + std::to_string(cfg.ops * cfg.block_size),
                                   "--norandommap",
                                   "--randrepeat=0",
                                   "--invalidate=0",
                                   "--output-format=json"};
  std::string command;
  for (const auto& a : args)
    command += (command.empty() ? "" : " ") + a;
  if (std::find(commands_seen.begin(), commands_seen.end(), command) == commands_seen.end())
    commands_seen.push_back(command);
  args.push_back(std::string("--output=") + out_path);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  rusage children_before{}, children_after{};
  ::getrusage(RUSAGE_CHILDREN, &children_before);
  std::uint64_t busy_before = busy_jiffies();
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int r = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (r != 0) {
    ::unlink(out_path);
    m.error = "cannot run " + cfg.fio + ": " + std::strerror(r) + " (apt-get install fio)";
    return m;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t busy_after = busy_jiffies();
  ::getrusage(RUSAGE_CHILDREN, &children_after);

  std::ifstream in(out_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(out_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    m.error = "fio failed (status " + std::to_string(status) + "): " + command;
    return m;
  }
  double error = 0, total_ios = 0, runtime_ms = 0, job_runtime_ms = 0, usr = 0, sys = 0;
  std::size_t jobs = text.find("\"jobs\"");
  std::size_t read_at = text.find("\"read\" : {", jobs == std::string::npos ? 0 : jobs);
  if (jobs == std::string::npos || read_at == std::string::npos ||
      !number_after(text, "error", jobs, error) ||
      !number_after(text, "total_ios", read_at, total_ios) ||
      !number_after(text, "runtime", read_at, runtime_ms) ||
      !number_after(text, "usr_cpu", read_at, usr) ||
      !number_after(text, "sys_cpu", read_at, sys)) {
    m.error = "cannot parse fio's JSON output of: " + command;
    return m;
  }
  if (!number_after(text, "job_runtime", read_at, job_runtime_ms))
    job_runtime_ms = runtime_ms;
  if (error != 0 || total_ios <= 0 || runtime_ms <= 0) {
    m.error = "fio reported error " + std::to_string(static_cast<int>(error)) + " after " +
              std::to_string(static_cast<long long>(total_ios)) + " reads";
    return m;
  }
  m.ops = static_cast<std::uint64_t>(total_ios);
  m.seconds = runtime_ms / 1000;
  m.user_seconds = usr / 100 * job_runtime_ms / 1000;
  m.sys_seconds = sys / 100 * job_runtime_ms / 1000;
  m.involuntary_switches = children_after.ru_nivcsw - children_before.ru_nivcsw;
  m.voluntary_switches = children_after.ru_nvcsw - children_before.ru_nvcsw;
  if (busy_before && busy_after && wall > 0) {
    static const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double busy = static_cast<double>(busy_after - busy_before) / hz;
    double mine = cpu_seconds(children_after) - cpu_seconds(children_before);
    m.other_load = std::max(0.0, busy - mine) / wall;
  }
  m.ok = true;
  return m;
}

} // namespace

measurement run_fio_fixed(const config& cfg) {
  return run_fio(cfg, true);
}

measurement run_fio_unregistered(const config& cfg) {
  return run_fio(cfg, false);
}

const std::vector<std::string>& fio_commands() {
  return commands_seen;
}

} // namespace read_qd

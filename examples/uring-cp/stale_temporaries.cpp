#include "stale_temporaries.hpp"

#include "failure.hpp"
#include "temp_file.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace uring_cp {
namespace {

namespace fs = std::filesystem;

struct temporary_name_parts {
  std::string_view name; ///< the destination's name (cut as temporary_name_part cuts it)
  pid_t pid = 0;
};

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Splits '.NAME.uring-cp.PID.XXXXXX'; nullopt for anything else.
std::optional<temporary_name_parts> parse_temporary_name(std::string_view entry) {
  const std::size_t suffix = temporary_name_suffix_length;
  if (entry.size() < 1 + 1 + temporary_name_marker.size() + 1 + 1 + suffix || entry[0] != '.')
    return std::nullopt;
  for (char c : entry.substr(entry.size() - suffix))
    if (!is_alnum(c))
      return std::nullopt;
  std::string_view rest = entry.substr(0, entry.size() - suffix);
  if (rest.back() != '.')
    return std::nullopt;
  rest.remove_suffix(1);
  std::size_t digits = 0;
  while (digits < rest.size() && rest[rest.size() - 1 - digits] >= '0' &&
         rest[rest.size() - 1 - digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 9)
    return std::nullopt;
  std::string_view pid_text = rest.substr(rest.size() - digits);
  rest.remove_suffix(digits);
  if (!rest.ends_with(temporary_name_marker))
    return std::nullopt;
  rest.remove_suffix(temporary_name_marker.size());
  rest.remove_prefix(1);
  if (rest.empty())
    return std::nullopt;
  long pid = std::stol(std::string(pid_text));
  if (pid <= 0)
    return std::nullopt;
  return temporary_name_parts{rest, static_cast<pid_t>(pid)};
}

bool process_gone(pid_t pid) {
  return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

/// Removes dir/entry if it is a dead temporary (see the header).
void remove_if_dead(int dir_fd, const fs::path& dir, const std::string& entry, bool verbose,
                    console& out) {
  int fd =
      ::openat(dir_fd, entry.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st {};
  bool dead = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
              st.st_nlink == 1 && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  // Still the same file under that name (not replaced since it was opened)?
  struct stat now {};
  dead = dead && ::fstatat(dir_fd, entry.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 &&
         now.st_dev == st.st_dev && now.st_ino == st.st_ino;
  if (dead) {
    if (::unlinkat(dir_fd, entry.c_str(), 0) == 0) {
      if (verbose)
        out.line(fmt::format("removed stale temporary {}", quote(dir / entry)));
    } else {
      out.warning(path_failure("cannot remove stale temporary", dir / entry, errno).message);
    }
  }
  ::close(fd); // releases the lock: nobody else can want a removed temporary
}

} // namespace

void remove_stale_temporaries(const copy_plan& plan, bool verbose, console& out) {
  // Destination directory -> the names this run writes (or skips) there.
  std::map<dir_node*, std::pair<std::shared_ptr<dir_node>, std::set<std::string, std::less<>>>>
      targets;
  auto note = [&](const place& at) {
    auto& entry = targets[at.dir.get()];
    entry.first = at.dir;
    entry.second.insert(temporary_name_part(at.name));
  };
  for (const auto* list : {&plan.files, &plan.others, &plan.links})
    for (const copy_item& item : *list)
      note(item.destination_at);
  for (const place& at : plan.skipped)
    note(at); // -n / -u leave NAME alone, not what a killed run left

  for (const auto& [key, target] : targets) {
    const auto& [node, names] = target;
    std::error_code ec;
    dir_ref dir = node->open(ec);
    int fd = dir ? ::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!d) {
      if (fd >= 0)
        ::close(fd);
      continue; // not there yet (created by this run) or not readable: nothing of ours
    }
    std::vector<std::string> dead;
    while (dirent* e = ::readdir(d)) {
      auto parts = parse_temporary_name(e->d_name);
      if (parts && names.contains(parts->name) && process_gone(parts->pid))
        dead.emplace_back(e->d_name);
    }
    for (const std::string& entry : dead)
      remove_if_dead(::dirfd(d), node->path(), entry, verbose, out);
    ::closedir(d);
  }
}

} // namespace uring_cp

#include "dir_node.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace uring_cp {
namespace {

/// Descriptors kept open by nodes nobody uses at the moment; beyond this,
/// the oldest are closed (and reopened, from their parents, if needed again).
constexpr std::size_t idle_budget = 64;

struct cache {
  std::mutex mutex;
  std::vector<dir_node*> idle; ///< open, unpinned; oldest first
};

cache& the_cache() {
  static cache c;
  return c;
}

} // namespace

dir_ref::dir_ref(dir_ref&& other) noexcept
    : node_(std::move(other.node_)), fd_(std::exchange(other.fd_, -1)) {}

dir_ref& dir_ref::operator=(dir_ref&& other) noexcept {
  if (this != &other) {
    reset();
    node_ = std::move(other.node_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void dir_ref::reset() noexcept {
  if (node_)
    node_->unpin();
  node_.reset();
  fd_ = -1;
}

dir_node::dir_node(std::shared_ptr<dir_node> parent, std::string name, std::filesystem::path path,
                   bool follow)
    : parent_(std::move(parent)), name_(std::move(name)), path_(std::move(path)), follow_(follow) {}

dir_node::~dir_node() {
  cache& c = the_cache();
  std::lock_guard lock(c.mutex);
  std::erase(c.idle, this);
  if (fd_ >= 0)
    ::close(fd_);
}

std::shared_ptr<dir_node> dir_node::anchor(std::filesystem::path path) {
  if (path.empty())
    path = ".";
  std::string name = path.native();
  return std::make_shared<dir_node>(nullptr, std::move(name), std::move(path), true);
}

std::shared_ptr<dir_node> dir_node::child(std::string name, bool follow) {
  std::filesystem::path p = path_ / name;
  return std::make_shared<dir_node>(shared_from_this(), std::move(name), std::move(p), follow);
}

dir_ref dir_node::open(std::error_code& ec) {
  cache& c = the_cache();
  {
    std::lock_guard lock(c.mutex);
    if (fd_ >= 0) {
      if (pins_++ == 0)
        std::erase(c.idle, this);
      ec.clear();
      return dir_ref(shared_from_this(), fd_);
    }
  }
  // Opened outside the lock (the parent may need opening too); a thread
  // that raced us keeps its descriptor and ours is closed.
  dir_ref parent;
  if (parent_) {
    parent = parent_->open(ec);
    if (!parent)
      return {};
  }
  int fd = ::openat(parent ? parent.fd() : AT_FDCWD, name_.c_str(),
                    O_PATH | O_DIRECTORY | O_CLOEXEC | (follow_ ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    ec.assign(errno, std::system_category());
    return {};
  }
  std::vector<int> to_close;
  {
    std::lock_guard lock(c.mutex);
    if (fd_ >= 0) {
      to_close.push_back(fd);
      if (pins_ == 0)
        std::erase(c.idle, this);
    } else {
      fd_ = fd;
    }
    ++pins_;
  }
  for (int f : to_close)
    ::close(f);
  ec.clear();
  return dir_ref(shared_from_this(), fd_);
}

const creation_facts& dir_node::facts() {
  std::call_once(facts_once_, [this] {
    std::error_code ec;
    dir_ref ref = open(ec);
    struct stat st {};
    if (!ref || ::fstat(ref.fd(), &st) != 0)
      return;
    std::string proc = "/proc/self/fd/" + std::to_string(ref.fd());
    bool acl = ::getxattr(proc.c_str(), "system.posix_acl_default", nullptr, 0) >= 0 ||
               (errno != ENODATA && errno != ENOTSUP && errno != ENOSYS);
    struct statfs fs {};
    facts_.in_memory =
        ::fstatfs(ref.fd(), &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
    facts_.device = st.st_dev;
    facts_.group = (st.st_mode & S_ISGID) ? st.st_gid : ::getegid();
    facts_.default_acl = acl;
    facts_.known = true;
  });
  return facts_;
}

void dir_node::unpin() noexcept {
  cache& c = the_cache();
  std::vector<int> to_close;
  {
    std::lock_guard lock(c.mutex);
    if (--pins_ > 0)
      return;
    c.idle.push_back(this);
    while (c.idle.size() > idle_budget) {
      dir_node* oldest = c.idle.front();
      c.idle.erase(c.idle.begin());
      to_close.push_back(std::exchange(oldest->fd_, -1));
    }
  }
  for (int f : to_close)
    ::close(f);
}

} // namespace uring_cp

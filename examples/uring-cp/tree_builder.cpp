#include "tree_builder.hpp"

#include "attributes.hpp"
#include "temp_file.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace uring_cp {
namespace {

/// A descriptor closed when it goes out of scope.
class scoped_fd {
 public:
  explicit scoped_fd(int fd) noexcept : fd_(fd) {}
  scoped_fd(const scoped_fd&) = delete;
  scoped_fd& operator=(const scoped_fd&) = delete;
  ~scoped_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

/// The directory of at, opened; reports the failure as WHAT at shown.
dir_ref open_dir_of(const place& at, run_context& ctx, std::string_view what,
                    const std::filesystem::path& shown) {
  std::error_code ec;
  dir_ref dir = at.dir->open(ec);
  if (!dir)
    ctx.out.error(path_failure(what, shown, ec).message);
  return dir;
}

} // namespace

tree_builder::tree_builder(const copy_plan& plan, run_context& ctx)
    : plan_(plan), ctx_(ctx), failed_(plan.directories.size(), 0),
      created_(plan.directories.size(), 0) {}

bool tree_builder::parent_ok(const copy_item& item) const {
  return item.parent < 0 || !failed_[static_cast<std::size_t>(item.parent)];
}

void tree_builder::make_directories() {
  for (std::size_t i = 0; i < plan_.directories.size(); ++i) {
    const copy_item& dir = plan_.directories[i];
    if (!parent_ok(dir)) {
      failed_[i] = 1;
      continue;
    }
    if (dir.existing)
      continue;
    // As cp: the kernel takes the umask off, or a default ACL of the parent
    // applies instead (and then shapes the new directory's ACL from mode).
    mode_t mode = (dir.source_stat.st_mode & 0777) | S_IRWXU;
    dir_ref parent =
        open_dir_of(dir.destination_at, ctx_, "cannot create directory", dir.destination);
    if (!parent) {
      failed_[i] = 1;
      continue;
    }
    if (::mkdirat(parent.fd(), dir.destination_at.name.c_str(), mode) != 0) {
      ctx_.out.error(path_failure("cannot create directory", dir.destination, errno).message);
      failed_[i] = 1;
      continue;
    }
    created_[i] = 1;
    if (ctx_.opts.verbose)
      ctx_.out.line(fmt::format("{} -> {}", quote(dir.source), quote(dir.destination)));
  }
}

void tree_builder::make_others() {
  for (const copy_item& item : plan_.others) {
    if (ctx_.stop_requested())
      return;
    if (parent_ok(item))
      make_other(item);
  }
}

void tree_builder::make_other(const copy_item& item) {
  dir_ref src_dir = open_dir_of(item.source_at, ctx_, "cannot access", item.source);
  dir_ref dst_dir = open_dir_of(item.destination_at, ctx_, "cannot create", item.destination);
  if (!src_dir || !dst_dir)
    return;
  const char* src_name = item.source_at.name.c_str();
  std::string target;
  if (item.kind == item_kind::symlink) {
    target.resize(static_cast<std::size_t>(item.source_stat.st_size) + 1);
    for (;;) {
      ssize_t n = ::readlinkat(src_dir.fd(), src_name, target.data(), target.size());
      if (n < 0) {
        ctx_.out.error(path_failure("cannot read symbolic link", item.source, errno).message);
        return;
      }
      if (static_cast<std::size_t>(n) < target.size()) {
        target.resize(static_cast<std::size_t>(n));
        break;
      }
      target.resize(target.size() * 2 + 64);
    }
  }
  const int dir = dst_dir.fd();
  std::string temp;
  int err = EEXIST;
  for (int attempt = 0; attempt < 100 && err == EEXIST; ++attempt) {
    temp = temporary_name(item.destination_at.name);
    int r = item.kind == item_kind::symlink
                ? ::symlinkat(target.c_str(), dir, temp.c_str())
                : ::mknodat(dir, temp.c_str(), item.source_stat.st_mode & (S_IFMT | 0600),
                            item.source_stat.st_rdev);
    err = r == 0 ? 0 : errno;
  }
  if (err) {
    const char* what = item.kind == item_kind::symlink ? "cannot create symbolic link"
                                                       : "cannot create special file";
    ctx_.out.error(path_failure(what, item.destination, err).message);
    return;
  }
  {
    // O_PATH: symlinks and special files are not opened for I/O.
    int follow = item.kind == item_kind::symlink ? O_NOFOLLOW : 0;
    scoped_fd src(::openat(src_dir.fd(), src_name, O_PATH | O_CLOEXEC | follow));
    scoped_fd dst(::openat(dir, temp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    std::optional<failure> f;
    if (src.get() < 0)
      f = path_failure("cannot open", item.source, errno);
    else if (dst.get() < 0)
      f = path_failure("cannot open", item.destination, errno);
    else
      f = apply_other_attributes(src.get(), dst.get(), item, ctx_.opts.keep, ctx_.umask, ctx_.out);
    if (f) {
      ::unlinkat(dir, temp.c_str(), 0);
      ctx_.out.error(f->message);
      return;
    }
  }
  std::error_code ec =
      move_into_place(dir, temp, item.destination_at.name, ctx_.opts.no_clobber, ctx_.opts.fsync);
  if (ec) {
    ::unlinkat(dir, temp.c_str(), 0);
    if (!(ec == std::errc::file_exists && ctx_.opts.no_clobber))
      ctx_.out.error(path_failure("cannot create", item.destination, ec).message);
    return;
  }
  if (item.linked)
    item.linked->committed = true;
  if (ctx_.opts.verbose)
    ctx_.out.line(fmt::format("{} -> {}", quote(item.source), quote(item.destination)));
}

void tree_builder::make_links() {
  for (const copy_item& item : plan_.links) {
    if (ctx_.stop_requested())
      return;
    if (!parent_ok(item))
      continue;
    const auto& list = item.kind == item_kind::regular ? plan_.files : plan_.others;
    make_link(item, list[static_cast<std::size_t>(item.link_to)]);
  }
}

void tree_builder::make_link(const copy_item& item, const copy_item& first) {
  if (!item.linked->committed) {
    ctx_.out.error(fmt::format("cannot create hard link {} to {}: that copy was not made",
                               quote(item.destination), quote(first.destination)));
    return;
  }
  dir_ref from = open_dir_of(first.destination_at, ctx_, "cannot access", first.destination);
  dir_ref to = open_dir_of(item.destination_at, ctx_, "cannot create", item.destination);
  if (!from || !to)
    return;
  const char* first_name = first.destination_at.name.c_str();
  std::string temp;
  int err = EEXIST;
  for (int attempt = 0; attempt < 100 && err == EEXIST; ++attempt) {
    temp = temporary_name(item.destination_at.name);
    err = ::linkat(from.fd(), first_name, to.fd(), temp.c_str(), 0) == 0 ? 0 : errno;
  }
  std::error_code ec = err ? std::error_code(err, std::system_category())
                           : move_into_place(to.fd(), temp, item.destination_at.name,
                                             ctx_.opts.no_clobber, ctx_.opts.fsync);
  // The temporary is still there if the rename failed, or did nothing
  // because both names already were links to the same file.
  struct stat left {
  }, copy{};
  if (!err && (ec || (::fstatat(to.fd(), temp.c_str(), &left, AT_SYMLINK_NOFOLLOW) == 0 &&
                      ::fstatat(from.fd(), first_name, &copy, AT_SYMLINK_NOFOLLOW) == 0 &&
                      left.st_dev == copy.st_dev && left.st_ino == copy.st_ino)))
    ::unlinkat(to.fd(), temp.c_str(), 0);
  if (ec && !(ec == std::errc::file_exists && ctx_.opts.no_clobber))
    ctx_.out.error(fmt::format("cannot create hard link {} to {}: {}", quote(item.destination),
                               quote(first.destination), ec.message()));
  if (!ec && ctx_.opts.verbose)
    ctx_.out.line(fmt::format("{} -> {}", quote(item.source), quote(item.destination)));
}

std::vector<const copy_item*> tree_builder::runnable_files() const {
  std::vector<const copy_item*> files;
  files.reserve(plan_.files.size());
  for (const copy_item& item : plan_.files)
    if (parent_ok(item))
      files.push_back(&item);
  return files;
}

void tree_builder::finish_directories() {
  for (std::size_t i = plan_.directories.size(); i-- > 0;) {
    if (failed_[i])
      continue;
    const copy_item& dir = plan_.directories[i];
    std::error_code ec;
    dir_ref src = dir.source_self->open(ec);
    std::optional<failure> f;
    if (!src)
      f = path_failure("cannot open", dir.source, ec);
    dir_ref dst;
    if (!f) {
      dst = dir.destination_self->open(ec);
      if (!dst)
        f = path_failure("cannot open", dir.destination, ec);
    }
    if (!f)
      f = apply_directory_attributes(src.fd(), dst.fd(), dir, created_[i] != 0, ctx_.opts.keep,
                                     ctx_.umask, ctx_.out);
    if (f)
      ctx_.out.error(f->message);
    // --fsync: the files' names were made durable as they were renamed; a
    // directory this run created needs its own name synced into its parent.
    if (ctx_.opts.fsync && created_[i]) {
      dir_ref parent = dir.destination_at.dir->open(ec);
      if (!ec)
        ec = sync_directory(parent.fd());
      if (ec)
        ctx_.out.error(path_failure("error syncing the directory of", dir.destination, ec).message);
    }
  }
}

} // namespace uring_cp

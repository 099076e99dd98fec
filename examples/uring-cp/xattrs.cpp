#include "xattrs.hpp"

#include "text.hpp"

#include <fmt/format.h>

#include <sys/xattr.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace uring_cp {
namespace {

constexpr std::string_view acl_access = "system.posix_acl_access";
constexpr std::string_view acl_default = "system.posix_acl_default";
constexpr std::string_view selinux_label = "security.selinux";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Names cp leaves to the ACL code ("permissions" in /etc/xattr.conf) or
/// never copies ("skip").
bool skipped_by_cp(std::string_view name) {
  return name == acl_access || name == acl_default || name == "system.nfs4_acl" ||
         name == "system.nfs4acl" || name == "security.evm" || starts_with(name, "trusted.SGI_") ||
         starts_with(name, "xfsroot.") || starts_with(name, "user.Beagle.") ||
         starts_with(name, "afs.");
}

bool unsupported(int err) {
  return err == ENOTSUP || err == ENOSYS;
}

/// flistxattr / fgetxattr / fsetxattr / fremovexattr on a handle.
class xattr_io {
 public:
  explicit xattr_io(xattr_handle h) : h_(h) {
    if (h.o_path)
      proc_ = fmt::format("/proc/self/fd/{}", h.fd);
  }

  ssize_t list(char* buf, std::size_t size) const {
    return h_.o_path ? ::listxattr(proc_.c_str(), buf, size) : ::flistxattr(h_.fd, buf, size);
  }
  ssize_t get(const char* name, void* buf, std::size_t size) const {
    return h_.o_path ? ::getxattr(proc_.c_str(), name, buf, size)
                     : ::fgetxattr(h_.fd, name, buf, size);
  }
  int set(const char* name, const void* value, std::size_t size) const {
    return h_.o_path ? ::setxattr(proc_.c_str(), name, value, size, 0)
                     : ::fsetxattr(h_.fd, name, value, size, 0);
  }
  int remove(const char* name) const {
    return h_.o_path ? ::removexattr(proc_.c_str(), name) : ::fremovexattr(h_.fd, name);
  }

 private:
  xattr_handle h_;
  std::string proc_;
};

/// The names of io's xattrs, NUL-separated; errno in err on failure.
std::vector<char> list_names(const xattr_io& io, int& err) {
  std::vector<char> names;
  for (;;) {
    ssize_t n = io.list(nullptr, 0);
    if (n < 0) {
      err = errno;
      return {};
    }
    names.resize(static_cast<std::size_t>(n));
    if (n == 0)
      return names;
    n = io.list(names.data(), names.size());
    if (n >= 0) {
      names.resize(static_cast<std::size_t>(n));
      return names;
    }
    if (errno != ERANGE) { // ERANGE: it grew meanwhile; ask again
      err = errno;
      return {};
    }
  }
}

/// The value of name; false with errno in err when it cannot be read.
bool get_value(const xattr_io& io, const char* name, std::vector<char>& value, int& err) {
  for (;;) {
    ssize_t n = io.get(name, nullptr, 0);
    if (n < 0) {
      err = errno;
      return false;
    }
    value.resize(static_cast<std::size_t>(n));
    n = io.get(name, value.data(), value.size());
    if (n >= 0) {
      value.resize(static_cast<std::size_t>(n));
      return true;
    }
    if (errno != ERANGE) {
      err = errno;
      return false;
    }
  }
}

} // namespace

std::optional<bool> copy_xattrs(xattr_handle src, xattr_handle dst,
                                const std::filesystem::path& destination, const preserve_set& keep,
                                console& out) {
  if (!keep.xattr && !keep.context)
    return std::nullopt;
  xattr_io from(src), to(dst);
  // Which failures are printed, and whether they fail the run (cp's
  // copy_attr: all of them when --preserve=xattr was asked for; none with
  // -a; all but "not supported" otherwise, without changing the status).
  auto report = [&](bool required, int err, const std::string& message) {
    if (required)
      out.error(message);
    else if (!keep.quiet_xattr && !unsupported(err))
      out.notice(message);
  };
  int err = 0;
  std::vector<char> names = list_names(from, err);
  if (err) {
    if (!unsupported(err))
      report(keep.xattr_required, err,
             fmt::format("listing attributes of {}: {}", quote(destination), std::strerror(err)));
    return std::nullopt;
  }
  bool refused_required = false, refused = false, acl = false;
  std::vector<char> value;
  for (std::size_t at = 0; at < names.size();) {
    std::string_view name(names.data() + at);
    at += name.size() + 1;
    bool label = name == selinux_label;
    acl = acl || name == acl_access || name == acl_default;
    if (skipped_by_cp(name) || !(keep.xattr || label) || (label && !keep.xattr && !keep.context))
      continue;
    bool required = keep.xattr_required || (label && keep.context_required);
    std::string n(name);
    if (!get_value(from, n.c_str(), value, err)) {
      if (err != ENODATA) // removed meanwhile
        report(required, err,
               fmt::format("getting attribute {} of the source of {}: {}", quote(name),
                           quote(destination), std::strerror(err)));
      continue;
    }
    if (to.set(n.c_str(), value.data(), value.size()) == 0)
      continue;
    err = errno;
    if (unsupported(err)) { // reported once per file, as cp does
      refused = true;
      refused_required = refused_required || required;
      continue;
    }
    report(required, err,
           fmt::format("setting attribute {} for {}: {}", quote(name), quote(destination),
                       std::strerror(err)));
  }
  if (refused)
    report(
        refused_required, ENOTSUP,
        fmt::format("setting attributes for {}: {}", quote(destination), std::strerror(ENOTSUP)));
  return acl;
}

void copy_acls(xattr_handle src, xattr_handle dst, bool directory,
               const std::filesystem::path& destination, const preserve_set& keep, console& out,
               acl_hints hints) {
  if (!keep.mode || (!hints.source_may_have && !hints.destination_may_have))
    return;
  xattr_io from(src), to(dst);
  std::vector<char> value;
  for (std::string_view name : {acl_access, acl_default}) {
    if (name == acl_default && !directory)
      break;
    const char* n = name.data();
    int err = ENODATA;
    if (hints.source_may_have && get_value(from, n, value, err)) {
      if (to.set(n, value.data(), value.size()) != 0)
        out.error(fmt::format("preserving permissions for {}: {}", quote(destination),
                              std::strerror(errno)));
    } else if (err == ENODATA || unsupported(err)) {
      // No ACL beyond the mode: drop one the new file inherited from a
      // default ACL of its directory, so that only the mode applies.
      if (hints.destination_may_have && to.remove(n) != 0 && errno != ENODATA &&
          !unsupported(errno))
        out.error(fmt::format("preserving permissions for {}: {}", quote(destination),
                              std::strerror(errno)));
    } else {
      out.error(
          fmt::format("preserving permissions for {}: {}", quote(destination), std::strerror(err)));
    }
  }
}

} // namespace uring_cp

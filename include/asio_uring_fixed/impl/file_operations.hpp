// The bodies of the file-metadata initiating functions: each fills a
// metadata_request and starts it with its result policy.
#pragma once

#include <asio_uring_fixed/detail/metadata_op.hpp>
#include <asio_uring_fixed/registered_file.hpp>

#include <string>
#include <utility>

namespace asio_uring_fixed {
namespace detail {

inline metadata_request path_request(io_request::kind_type kind, int dirfd, std::string_view path) {
  metadata_request r;
  r.kind = kind;
  r.fd = dirfd;
  r.path.assign(path.data(), path.size());
  return r;
}

inline metadata_request two_path_request(io_request::kind_type kind, int dirfd,
                                         std::string_view path, int dirfd2,
                                         std::string_view path2) {
  metadata_request r = path_request(kind, dirfd, path);
  r.path2.assign(path2.data(), path2.size());
  r.has_path2 = true;
  r.dirfd2 = dirfd2;
  return r;
}

template <typename File>
metadata_request file_request(io_request::kind_type kind, File& f) {
  metadata_request r;
  r.kind = kind;
  r.fd = native_fd(f);
  r.file_slot_allowed = true;
  return r;
}

} // namespace detail

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_openat(Target&& target, int dirfd, std::string_view path, int flags, unsigned mode,
                  CompletionToken&& token) {
  detail::metadata_request r = detail::path_request(detail::io_request::openat, dirfd, path);
  r.flags = flags;
  r.mode = mode;
  return detail::initiate_metadata_op<detail::file_value>(target, detail::any_cancellation,
                                                          std::move(r), detail::file_ref{},
                                                          std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_statx(Target&& target, int dirfd, std::string_view path, int flags, unsigned mask,
                 CompletionToken&& token) {
  detail::metadata_request r = detail::path_request(detail::io_request::statx, dirfd, path);
  r.flags = flags;
  r.mode = mask;
  return detail::initiate_metadata_op<detail::statx_value>(target, detail::any_cancellation,
                                                           std::move(r), detail::file_ref{},
                                                           std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_close(Target&& target, file f, CompletionToken&& token) {
  detail::metadata_request r;
  r.kind = detail::io_request::close;
  r.fd = f.release();
  return detail::initiate_metadata_op<detail::no_value>(target, asio::cancellation_type::none,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename File, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fsync(Target&& target, File&& file, CompletionToken&& token) {
  detail::metadata_request r = detail::file_request(detail::io_request::fsync, file);
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::make_file_ref(file),
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename File, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fdatasync(Target&& target, File&& file, CompletionToken&& token) {
  detail::metadata_request r = detail::file_request(detail::io_request::fsync, file);
  r.flags = detail::metadata_args::datasync;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::make_file_ref(file),
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename File, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fallocate(Target&& target, File&& file, int mode, std::uint64_t offset,
                     std::uint64_t length, CompletionToken&& token) {
  detail::metadata_request r = detail::file_request(detail::io_request::fallocate, file);
  r.mode = static_cast<std::uint32_t>(mode);
  r.offset = offset;
  r.length = length;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::make_file_ref(file),
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_renameat2(Target&& target, int olddirfd, std::string_view oldpath, int newdirfd,
                     std::string_view newpath, unsigned flags, CompletionToken&& token) {
  detail::metadata_request r =
      detail::two_path_request(detail::io_request::renameat, olddirfd, oldpath, newdirfd, newpath);
  r.flags = static_cast<int>(flags);
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_unlinkat(Target&& target, int dirfd, std::string_view path, int flags,
                    CompletionToken&& token) {
  detail::metadata_request r = detail::path_request(detail::io_request::unlinkat, dirfd, path);
  r.flags = flags;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_mkdirat(Target&& target, int dirfd, std::string_view path, unsigned mode,
                   CompletionToken&& token) {
  detail::metadata_request r = detail::path_request(detail::io_request::mkdirat, dirfd, path);
  r.mode = mode;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_symlinkat(Target&& target, std::string_view target_path, int newdirfd,
                     std::string_view linkpath, CompletionToken&& token) {
  detail::metadata_request r = detail::two_path_request(detail::io_request::symlinkat, newdirfd,
                                                        target_path, newdirfd, linkpath);
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_linkat(Target&& target, int olddirfd, std::string_view oldpath, int newdirfd,
                  std::string_view newpath, int flags, CompletionToken&& token) {
  detail::metadata_request r =
      detail::two_path_request(detail::io_request::linkat, olddirfd, oldpath, newdirfd, newpath);
  r.flags = flags;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::file_ref{},
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename File, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fsetxattr(Target&& target, File&& file, std::string_view name, asio::const_buffer value,
                     int flags, CompletionToken&& token) {
  detail::metadata_request r = detail::file_request(detail::io_request::fsetxattr, file);
  r.path.assign(name.data(), name.size());
  r.value.assign(static_cast<const char*>(value.data()), value.size());
  r.flags = flags;
  return detail::initiate_metadata_op<detail::no_value>(target, detail::any_cancellation,
                                                        std::move(r), detail::make_file_ref(file),
                                                        std::forward<CompletionToken>(token));
}

template <typename Target, typename File, typename CompletionToken>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fgetxattr(Target&& target, File&& file, std::string_view name,
                     asio::mutable_buffer value, CompletionToken&& token) {
  detail::metadata_request r = detail::file_request(detail::io_request::fgetxattr, file);
  r.path.assign(name.data(), name.size());
  r.out = value.data();
  r.out_size = value.size();
  return detail::initiate_metadata_op<detail::size_value>(target, detail::any_cancellation,
                                                          std::move(r), detail::make_file_ref(file),
                                                          std::forward<CompletionToken>(token));
}

} // namespace asio_uring_fixed

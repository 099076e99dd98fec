// File metadata as asynchronous operations: open, stat, close, sync,
// allocate, rename, unlink, mkdir, symlink, link and extended attributes,
// each one io_uring request (IORING_OP_OPENAT, _STATX, _CLOSE, _FSYNC,
// _FALLOCATE, _RENAMEAT, _UNLINKAT, _MKDIRAT, _SYMLINKAT, _LINKAT,
// _FSETXATTR, _FGETXATTR), or the same system call on a worker thread of
// the portable backend.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/file.hpp>
#include <asio_uring_fixed/file_handle.hpp>
#include <asio_uring_fixed/read_write_fixed.hpp>

#include <asio_uring_fixed/detail/asio.hpp>
#include <asio_uring_fixed/detail/metadata_target.hpp>

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace asio_uring_fixed {

// Rules shared by every function here.
//
// Where it runs: the first argument, `target`, is an io_context or an
// executor of one (io_context::executor_type, a strand of one, an
// any_io_executor holding one; any other executor throws
// std::invalid_argument). The request goes to that context's
// uring_service: its ring for the calling thread (service_options::rings),
// or its portable backend. The handler's executor defaults to `target`'s.
//
// Arguments are the system call's, with its flags and modes (O_*, AT_*,
// RENAME_*, FALLOC_FL_*, XATTR_*): the functions add nothing to them (pass
// O_CLOEXEC yourself). Paths and attribute values are copied before the
// initiating function returns (a heap allocation for a path longer than the
// small-string buffer); the caller's strings may go at once. A directory
// descriptor (`dirfd`, AT_FDCWD allowed) must stay open until completion; so
// must `file`, except a registered_file, which the operation keeps open. An
// operation is a single request: kernel results come back as they are,
// including EINTR, which is not retried.
//
// Errors: the kernel's errno as `error_code(errno, system_category())`.
// Kernels without the opcode (older than 5.6 for open, statx, close, fsync,
// fallocate; 5.11 rename, unlink; 5.15 mkdir, symlink, link; 5.19 the
// extended attributes) complete it with EINVAL on io_uring;
// asio::error::operation_aborted when cancelled.
//
// Cancellation: terminal, partial and total, by IORING_OP_ASYNC_CANCEL, for
// every function except async_close (not cancellable). A request the kernel
// has already started usually runs to its end (the handler then gets its
// real result); what blocks interruptibly (an open of a FIFO without a
// writer) is interrupted and completes with operation_aborted. On the
// portable backend a request can be withdrawn only while it waits for a
// worker thread: one that blocks (that FIFO) holds its worker until it
// ends, and shutdown waits for it.
//
// Shutdown: an operation still in flight when the io_context is destroyed
// is destroyed without calling its handler, after the kernel's completion;
// a descriptor an abandoned async_openat had opened is closed.
//
// Memory: the handler's associated allocator for the operation (else a
// recycling allocator), as for the read and write functions.

/// openat(2): opens `path` relative to `dirfd`.
/// Completion signature: `void(error_code ec, file f)`; on success `f` owns
/// the new descriptor, on error it is empty.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_openat(Target&& target, int dirfd, std::string_view path, int flags, unsigned mode,
                  CompletionToken&& token = default_token());

/// statx(2): `flags` are AT_* (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH with an
/// empty path for the descriptor `dirfd` itself, ...), `mask` STATX_*.
/// Completion signature: `void(error_code ec, struct statx st)`; `st` is
/// zeroed on error. st.stx_mask says which fields the filesystem filled.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_statx(Target&& target, int dirfd, std::string_view path, int flags, unsigned mask,
                 CompletionToken&& token = default_token());

/// close(2) of the descriptor `f` owned. Completion signature:
/// `void(error_code ec)`; the descriptor is released whatever ec says (as
/// close(2) on Linux), except in one case: an operation abandoned at
/// shutdown before the close ran leaves it open. Not cancellable.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_close(Target&& target, file f, CompletionToken&& token = default_token());

/// fsync(2) / fdatasync(2) of `file` (a descriptor, an object with
/// native_handle(), or a registered_file, named by its slot on its own
/// context's ring). Completion signature: `void(error_code ec)`.
template <typename Target, typename File, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fsync(Target&& target, File&& file, CompletionToken&& token = default_token());

template <typename Target, typename File, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fdatasync(Target&& target, File&& file, CompletionToken&& token = default_token());

/// fallocate(2): `mode` is 0 (allocate, extending the size) or FALLOC_FL_*
/// (KEEP_SIZE, PUNCH_HOLE | KEEP_SIZE, ZERO_RANGE, ...). `file` as
/// async_fsync. Completion signature: `void(error_code ec)`; EOPNOTSUPP
/// where the filesystem has no such mode.
template <typename Target, typename File, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fallocate(Target&& target, File&& file, int mode, std::uint64_t offset,
                     std::uint64_t length, CompletionToken&& token = default_token());

/// renameat2(2): `flags` 0, RENAME_NOREPLACE (EEXIST if `newpath` exists),
/// RENAME_EXCHANGE or RENAME_WHITEOUT. Completion signature:
/// `void(error_code ec)`.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_renameat2(Target&& target, int olddirfd, std::string_view oldpath, int newdirfd,
                     std::string_view newpath, unsigned flags,
                     CompletionToken&& token = default_token());

/// unlinkat(2): `flags` 0 or AT_REMOVEDIR. Completion signature:
/// `void(error_code ec)`.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_unlinkat(Target&& target, int dirfd, std::string_view path, int flags,
                    CompletionToken&& token = default_token());

/// mkdirat(2) (the umask applies). Completion signature:
/// `void(error_code ec)`.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_mkdirat(Target&& target, int dirfd, std::string_view path, unsigned mode,
                   CompletionToken&& token = default_token());

/// symlinkat(2): makes `linkpath` (relative to `newdirfd`) a symbolic link
/// whose contents are `target_path`. Completion signature:
/// `void(error_code ec)`.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_symlinkat(Target&& target, std::string_view target_path, int newdirfd,
                     std::string_view linkpath, CompletionToken&& token = default_token());

/// linkat(2): a new name for an existing inode; `flags` 0,
/// AT_SYMLINK_FOLLOW or AT_EMPTY_PATH. Completion signature:
/// `void(error_code ec)`.
template <typename Target, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>>
auto async_linkat(Target&& target, int olddirfd, std::string_view oldpath, int newdirfd,
                  std::string_view newpath, int flags, CompletionToken&& token = default_token());

/// fsetxattr(2): sets the attribute `name` of `file` to `value`; `flags` 0,
/// XATTR_CREATE or XATTR_REPLACE. `file` as async_fsync. Completion
/// signature: `void(error_code ec)`; ENOTSUP (== EOPNOTSUPP) where the
/// filesystem has no such attributes, E2BIG / ERANGE past its limits.
template <typename Target, typename File, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fsetxattr(Target&& target, File&& file, std::string_view name, asio::const_buffer value,
                     int flags, CompletionToken&& token = default_token());

/// fgetxattr(2): reads the attribute `name` of `file` into `value`, which
/// must stay valid until completion (the kernel writes to it). Completion
/// signature: `void(error_code ec, std::size_t n)`: the attribute's size;
/// with an empty `value`, only its size is asked. ERANGE when `value` is too
/// small, ENODATA when there is no such attribute. `file` as async_fsync.
template <typename Target, typename File, typename CompletionToken = default_token>
requires detail::is_metadata_target<std::remove_cvref_t<Target>> &&
    file_handle<std::remove_cvref_t<File>>
auto async_fgetxattr(Target&& target, File&& file, std::string_view name,
                     asio::mutable_buffer value, CompletionToken&& token = default_token());

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/file_operations.hpp>

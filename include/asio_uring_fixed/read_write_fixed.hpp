// async_read_fixed_at / async_write_fixed_at: one READ_FIXED / WRITE_FIXED on
// a file at an offset, with the lease moved in and handed back; and their
// _all forms that loop over short transfers.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/file_handle.hpp>
#include <asio_uring_fixed/fixed_buffer.hpp>

#include <asio_uring_fixed/detail/asio.hpp>

#include <cstdint>
#include <type_traits>

namespace asio_uring_fixed {

/// The completion signature of every read/write operation here: the error,
/// the bytes transferred, and the lease handed back.
using read_write_signature = void(error_code, std::size_t, fixed_buffer);

/// The default completion token: the io_context executor's default (none in
/// Boost 1.81, so a token must be passed, as with Asio's own functions).
using default_token = asio::default_completion_token_t<asio::io_context::executor_type>;

/// Reads up to buffer.size() bytes at offset into the buffer's range
/// (READ_FIXED when the buffer is registered, else READ; pread on the
/// portable backend). One kernel request; the result may be short.
///
/// Completion signature: `void(error_code ec, std::size_t n, fixed_buffer b)`;
/// `b` is the lease passed in, with its range unchanged; bytes [0, n) of
/// b.span() hold the data.
///
/// Errors: kernel errors as `error_code(errno, system_category())` (EBADF,
/// EINVAL for misaligned O_DIRECT, EFAULT, ...); asio::error::eof when the
/// range is not empty and the offset is at or past the end of the file
/// (n == 0); asio::error::operation_aborted when cancelled or shut down;
/// errc::empty_buffer when `buffer` holds no buffer (then delivered on the
/// handler's associated executor, system_executor if it has none).
///
/// Cancellation: terminal, partial and total cancellation submit an
/// IORING_OP_ASYNC_CANCEL. The operation still completes only after the
/// kernel's own completion: with operation_aborted if the request was
/// stopped, or with its real result if it had already finished. The lease
/// comes back either way.
///
/// Executor: the handler's associated executor, defaulting to the executor
/// of the lease's io_context; the operation runs on that io_context's ring.
///
/// Lifetime: the lease is owned by the operation; `file` must stay open
/// until completion. Any number of these may be in flight on one file.
template <typename File, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                         CompletionToken&& token = default_token());

/// Writes up to buffer.size() bytes from the buffer's range at offset
/// (WRITE_FIXED when registered, else WRITE). One kernel request; the
/// result may be short. Signature, errors, cancellation, executor and
/// lifetime as async_read_fixed_at, except that no eof is reported.
template <typename File, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                          CompletionToken&& token = default_token());

/// Reads exactly buffer.size() bytes at offset, issuing more requests after
/// short reads. Completion signature as async_read_fixed_at, with n the
/// total; on asio::error::eof, n bytes were read before the end of file.
/// On any other error, n bytes were read before it. EINTR and EAGAIN are
/// retried (the request is issued again, up to 8 times in a row without
/// progress) before they are reported. The lease comes back with the range
/// it had when the operation started.
///
/// Cancellation: terminal and partial; a cancelled request ends the loop
/// with operation_aborted and n counting what was read before.
///
/// With O_DIRECT, a short read at the file's tail leaves the next offset
/// unaligned: depending on the filesystem the next request reports eof (ext4)
/// or fails with EINVAL. Read the tail with async_read_fixed_at instead.
template <typename File, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<File>>
auto async_read_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                             CompletionToken&& token = default_token());

/// Writes all buffer.size() bytes at offset, issuing more requests after
/// short writes. Completion signature as async_write_fixed_at with n the
/// total written; errc::no_progress if the kernel writes 0 bytes. Other
/// errors (ENOSPC, EIO, ...) end the loop with n the bytes written before;
/// EINTR and EAGAIN are retried as in async_read_fixed_all_at.
/// Cancellation as async_read_fixed_all_at.
template <typename File, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                              CompletionToken&& token = default_token());

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/read_write_fixed.hpp>

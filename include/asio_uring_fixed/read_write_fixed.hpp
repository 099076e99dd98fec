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

// Streams (pipes, sockets, terminals, e.g. a posix::stream_descriptor): the
// offset is ignored and the data moves at the stream's own position, as with
// read(2)/write(2). A read waits until data arrives and may be short (eof
// once the writer has closed); a write waits for room and may be short (the
// _all forms continue it); O_NONBLOCK on the descriptor does not turn the
// wait into EAGAIN. A waiting operation can be cancelled (operation_aborted)
// and shutdown ends it. Both backends behave alike: the portable one waits in
// poll() on a thread of its own. A write to a pipe without readers raises
// SIGPIPE, as write(2) does.

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
/// (n == 0); asio::error::operation_aborted when cancelled or shut down.
/// Refused before anything is submitted, with the lease handed back:
/// errc::empty_buffer when `buffer` holds no buffer; errc::invalid_offset
/// when offset + buffer.size() exceeds INT64_MAX (the kernel would take -1
/// for "the current file position"); errc::wrong_context when the handler
/// is bound to an io_context the lease's pool does not serve (the
/// operation would wait for a context the program may not run). These complete through the
/// handler's associated executor, else the file object's executor (when it
/// has get_executor()), else the lease's io_context (an empty lease that
/// came from a pool remembers it); never inside the initiating call. With
/// none of them (a default-constructed lease, a raw descriptor and an
/// unbound handler) the initiating function throws system_error
/// (errc::empty_buffer): there is no io_context to complete on.
///
/// Cancellation: terminal, partial and total cancellation submit an
/// IORING_OP_ASYNC_CANCEL. The operation still completes only after the
/// kernel's own completion: with operation_aborted if the request was
/// stopped, or with its real result if it had already finished. The lease
/// comes back either way. Emitting the signal after completion, or from
/// another thread while the operation completes, is safe: the slot's
/// handler finds the operation by key and does nothing when it is gone. The
/// library never clears the slot; the next operation's handler replaces it.
///
/// Executor: the handler's associated executor, defaulting to the executor
/// of the io_context the operation runs on: the lease's, or for a pool
/// shared by several contexts, the one chosen as fixed_buffer_pool's shared
/// constructor describes (the handler's, the file's, the calling thread's,
/// else the pool's first); with service_options::rings > 1, that context's
/// ring for the calling thread.
/// Memory: the handler's associated allocator (freed before the handler is
/// called or destroyed), else a recycling allocator: no heap allocation per
/// operation in steady state.
///
/// Lifetime: the lease is owned by the operation; `file` must stay open
/// until completion. Any number of these may be in flight on one file.
/// The io_context must outlive any cancellation_signal whose slot was used.
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
/// with operation_aborted and n counting what was read before. Total
/// cancellation is ignored (what was read stays read). Refusals before the
/// start as async_read_fixed_at.
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
/// Cancellation and refusals as async_read_fixed_all_at.
template <typename File, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<File>>
auto async_write_fixed_all_at(File&& file, std::uint64_t offset, fixed_buffer buffer,
                              CompletionToken&& token = default_token());

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/read_write_fixed.hpp>

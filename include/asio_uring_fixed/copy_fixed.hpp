// async_copy_fixed_at: one linked copy step, READ_FIXED -> WRITE_FIXED in a
// single submission through one lease.
#pragma once

#include <asio_uring_fixed/copy_options.hpp>
#include <asio_uring_fixed/read_write_fixed.hpp>

namespace asio_uring_fixed {

/// The completion signature of async_copy_fixed_at: the error, what each
/// half moved (and which one failed), and the lease handed back.
using copy_signature = void(error_code, copy_progress, fixed_buffer);

/// Copies up to buffer.size() bytes from `source` at source_offset to
/// `destination` at destination_offset through the buffer's range: a
/// READ_FIXED linked (IOSQE_IO_LINK) to a WRITE_FIXED of the full range,
/// submitted together. On the portable backend, pread then pwrite.
///
/// Short reads are handled without losing or duplicating data: the kernel
/// breaks the link when the read is short (the end of the file), the write
/// is cancelled, and the operation then writes exactly the bytes that were
/// read (or, with options.pad_tail_to, the padded tail, then truncates: see
/// copy_options). Short writes are continued until everything read is
/// written.
///
/// Completion signature: `void(error_code ec, copy_progress p, fixed_buffer b)`:
/// p.read bytes were read, p.written of them written (equal on success),
/// and p.failed names the half whose request reported ec (copy_side::none
/// on success); b holds the data read, with the range it had when the
/// operation started (padding, if any, is zeros after p.read).
///
/// Errors: the read's or the write's errno, with p.failed telling which
/// (EIO from either half is no longer ambiguous); asio::error::eof when
/// nothing was read (offset at or past the end, non-empty range; p.failed
/// is read); errc::no_progress if a write reports 0 bytes;
/// operation_aborted when cancelled; errc::empty_buffer for an empty lease;
/// errc::invalid_offset when an offset + the range's size exceeds
/// INT64_MAX; errc::invalid_option when options.pad_tail_to is not 0 or a
/// power of two dividing the range's size; errc::wrong_context when the
/// handler is bound to another io_context than the lease's. On a write
/// error, p.written counts the bytes written before it. EINTR and EAGAIN
/// are not reported at once: the failed request (the linked pair after a
/// failed read) is issued again, up to 8 times for the step, before the
/// error is reported. Errors found before anything is submitted are
/// delivered through the handler's executor (see async_read_fixed_at).
///
/// Cancellation: terminal and partial cancel the outstanding kernel
/// requests; the operation completes once the kernel has finished with the
/// buffer, with operation_aborted and p counting what was done. Total
/// cancellation is not supported (what was written stays written).
///
/// Executor and lifetime as async_read_fixed_at; both files must stay open
/// until completion. The two files may be the same only for disjoint ranges.
template <typename Source, typename Destination, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<Source>> &&
    file_handle<std::remove_cvref_t<Destination>> &&
    (!std::is_same_v<std::decay_t<CompletionToken>, copy_options>)auto async_copy_fixed_at(
        Source&& source, std::uint64_t source_offset, Destination&& destination,
        std::uint64_t destination_offset, fixed_buffer buffer,
        CompletionToken&& token = default_token());

/// As above, with options (copy_options::pad_tail_to for O_DIRECT tails).
template <typename Source, typename Destination, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<Source>> && file_handle<std::remove_cvref_t<Destination>>
auto async_copy_fixed_at(Source&& source, std::uint64_t source_offset, Destination&& destination,
                         std::uint64_t destination_offset, fixed_buffer buffer,
                         const copy_options& options, CompletionToken&& token = default_token());

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/copy_fixed.hpp>

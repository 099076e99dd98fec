// async_copy_fixed_at: one linked copy step, READ_FIXED -> WRITE_FIXED in a
// single submission through one lease.
#pragma once

#include <asio_uring_fixed/read_write_fixed.hpp>

namespace asio_uring_fixed {

/// Copies up to buffer.size() bytes from `source` at source_offset to
/// `destination` at destination_offset through the buffer's range: a
/// READ_FIXED linked (IOSQE_IO_LINK) to a WRITE_FIXED of the full range,
/// submitted together. On the portable backend, pread then pwrite.
///
/// Short reads are handled without losing or duplicating data: the kernel
/// breaks the link when the read is short (the end of the file), the write
/// is cancelled, and the operation then writes exactly the bytes that were
/// read. Short writes are continued until everything read is written.
///
/// Completion signature: `void(error_code ec, std::size_t n, fixed_buffer b)`
/// with n the bytes written (equal to the bytes read on success); b holds
/// the data read, with the range it had when the operation started.
///
/// Errors: the read's or the write's errno; asio::error::eof when nothing
/// was read (offset at or past the end, non-empty range); errc::no_progress
/// if a write reports 0 bytes; operation_aborted when cancelled;
/// errc::empty_buffer for an empty lease. On a write error, n counts the
/// bytes written before it. EINTR and EAGAIN are not reported at once: the
/// failed request (the linked pair after a failed read) is issued again, up
/// to 8 times for the step, before the error is reported.
///
/// Cancellation: terminal, partial and total cancel the outstanding kernel
/// requests; the operation completes once the kernel has finished with the
/// buffer, with operation_aborted and n the bytes written so far.
///
/// Executor and lifetime as async_read_fixed_at; both files must stay open
/// until completion. The two files may be the same only for disjoint ranges.
template <typename Source, typename Destination, typename CompletionToken = default_token>
requires file_handle<std::remove_cvref_t<Source>> && file_handle<std::remove_cvref_t<Destination>>
auto async_copy_fixed_at(Source&& source, std::uint64_t source_offset, Destination&& destination,
                         std::uint64_t destination_offset, fixed_buffer buffer,
                         CompletionToken&& token = default_token());

} // namespace asio_uring_fixed

#include <asio_uring_fixed/impl/copy_fixed.hpp>

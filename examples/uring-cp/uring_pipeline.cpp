#include "uring_pipeline.hpp"

#include "extents.hpp"
#include "file_pair.hpp"
#include "finalize.hpp"
#include "text.hpp"

#include <asio_uring_fixed/copy_fixed.hpp>
#include <asio_uring_fixed/file_operations.hpp>
#include <asio_uring_fixed/read_write_fixed.hpp>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace uring_cp {

namespace auf = asio_uring_fixed;

namespace {

/// The errno of a kernel error, 0 for any other.
int errno_of(const auf::error_code& ec) {
  return ec.category() == boost::system::system_category() ? ec.value() : 0;
}

/// What statx fills for adopt_source.
constexpr unsigned statx_mask = STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_BLOCKS | STATX_MTIME;

} // namespace

/// A file being copied: its descriptors, where its next block starts, and
/// what is in flight.
struct uring_pipeline::open_file {
  explicit open_file(const copy_item& i) : item(i) {}

  const copy_item& item;
  file_pair pair;
  extent_cursor regions;
  std::list<open_file>::iterator self;
  /// The directory an openat in flight is relative to (held open for it).
  dir_ref dir;
  unsigned create_attempts = 0; ///< named temporaries tried (EEXIST)
  std::uint64_t next = 0;       ///< next offset to issue in the current region
  std::uint64_t region_end = 0; ///< end of the current region
  /// Where the source turned out to end, when it was shorter than pair.size.
  std::uint64_t end_of_data = std::numeric_limits<std::uint64_t>::max();
  std::vector<block> retries; ///< rest of blocks that came back short (rare)
  std::optional<failure> error;
  unsigned in_flight = 0;
  bool regions_done = false;
  bool queued = false;    ///< in ready_
  bool finishing = false; ///< finalize or abandon has begun
};

uring_pipeline::uring_pipeline(boost::asio::io_context& io, boost::asio::thread_pool& workers,
                               auf::fixed_buffer_pool& pool, std::size_t max_open_files,
                               run_context& ctx)
    : io_(io), workers_(workers), pool_(pool), ctx_(ctx), block_size_(pool.buffer_size()),
      max_open_(std::max<std::size_t>(max_open_files, 1)) {}

// Normally empty by now; after an exception the temporaries are removed by
// the file_pair destructors.
uring_pipeline::~uring_pipeline() = default;

void uring_pipeline::start(std::vector<const copy_item*> files, std::function<void()> done) {
  items_ = std::move(files);
  done_ = std::move(done);
  pump();
}

void uring_pipeline::stop() {
  std::vector<open_file*> idle;
  for (open_file* f : ready_)
    if (f->in_flight == 0)
      idle.push_back(f);
  for (open_file* f : idle)
    maybe_finish(*f);
  maybe_done();
}

// Issues blocks while buffers are free; when none is, one async_acquire
// waits for the next buffer to come back.
void uring_pipeline::pump() {
  while (!ctx_.stop_requested()) {
    open_file* f = next_issuable();
    if (!f)
      break;
    auf::fixed_buffer buffer = pool_.try_acquire();
    if (!buffer) {
      wait_for_buffer();
      break;
    }
    issue(*f, std::move(buffer));
  }
  maybe_done();
}

void uring_pipeline::wait_for_buffer() {
  if (acquire_pending_)
    return;
  acquire_pending_ = true;
  pool_.async_acquire([this](auf::error_code ec, auf::fixed_buffer buffer) {
    acquire_pending_ = false;
    if (!ec && !ctx_.stop_requested())
      if (open_file* f = next_issuable())
        issue(*f, std::move(buffer));
    buffer.release();
    pump();
  });
}

// The first open file with a block to issue, opening more files as needed.
uring_pipeline::open_file* uring_pipeline::next_issuable() {
  for (;;) {
    while (!ready_.empty()) {
      open_file* f = ready_.front();
      if (!f->error && has_block(*f))
        return f;
      unqueue(*f);
      maybe_finish(*f);
    }
    if (next_item_ >= items_.size() || open_.size() >= max_open_ || ctx_.stop_requested())
      return nullptr;
    open_next();
  }
}

// Starts setting up the next file: open, statx and create go through the
// ring (each step's handler starts the next), and the file joins ready_ once
// both sides are open.
void uring_pipeline::open_next() {
  const copy_item& item = *items_[next_item_++];
  open_file& f = open_.emplace_back(item);
  f.self = std::prev(open_.end());
  most_open_ = std::max(most_open_, open_.size());
  std::error_code ec;
  f.dir = item.source_at.dir->open(ec);
  if (!f.dir) // (called from next_issuable: no pump() here)
    return abandon_setup(f, path_failure("cannot open", item.source, ec));
  auf::async_openat(io_, f.dir.fd(), item.source_at.name, O_RDONLY | O_CLOEXEC, 0,
                    [this, fp = &f](auf::error_code ec, auf::file source) {
                      open_file& f = *fp;
                      f.dir.reset();
                      f.pair.source = std::move(source);
                      if (ec || ctx_.stop_requested())
                        abandon_setup(
                            f, ec ? std::optional(path_failure("cannot open", f.item.source, ec))
                                  : std::nullopt);
                      else
                        stat_source(f);
                      pump();
                    });
}

void uring_pipeline::stat_source(open_file& f) {
  auf::async_statx(
      io_, f.pair.source.native_handle(), "", AT_EMPTY_PATH, statx_mask,
      [this, fp = &f](auf::error_code ec, struct statx st) {
        open_file& f = *fp;
        if (ec || ctx_.stop_requested()) {
          abandon_setup(f, ec ? std::optional(path_failure("cannot stat", f.item.source, ec))
                              : std::nullopt);
          return pump();
        }
        source_facts facts{
            st.stx_mode,
            st.stx_size,
            st.stx_blocks,
            {static_cast<time_t>(st.stx_mtime.tv_sec), static_cast<long>(st.stx_mtime.tv_nsec)}};
        if (auto error = adopt_source(f.item, std::move(f.pair.source), facts, ctx_, f.pair)) {
          abandon_setup(f, std::move(error));
          return pump();
        }
        create_destination(f);
      });
}

void uring_pipeline::create_destination(open_file& f) {
  destination_plan plan = plan_destination(f.item, f.pair, block_size_, ctx_);
  std::error_code ec;
  f.dir = f.item.destination_at.dir->open(ec);
  if (!f.dir) {
    abandon_setup(f, path_failure("cannot create regular file", f.item.destination, ec));
    return pump();
  }
  bool anonymous = plan.anonymous && temp_file::anonymous_possible();
  std::string name = anonymous ? "." : temporary_name(f.item.destination_at.name);
  int flags = anonymous ? O_TMPFILE | O_RDWR | O_CLOEXEC : O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
  // (name is copied into the request: it may go with the handler.)
  auf::async_openat(io_, f.dir.fd(), name, flags, plan.mode,
                    [this, fp = &f, name, anonymous](auf::error_code ec, auf::file file) mutable {
                      on_created(*fp, ec, std::move(file), std::move(name), anonymous);
                    });
}

void uring_pipeline::on_created(open_file& f, const auf::error_code& ec, auf::file file,
                                std::string name, bool anonymous) {
  if (!ec) // from here on the temporary is removed if the copy is abandoned
    f.pair.destination = temp_file::adopt(std::move(f.dir), std::move(file), std::move(name),
                                          f.item.destination_at.name, anonymous);
  if (ctx_.stop_requested()) {
    abandon_setup(f, std::nullopt);
    return pump();
  }
  if (ec) {
    int err = errno_of(ec);
    bool retry =
        anonymous ? temp_file::anonymous_refused(err) : err == EEXIST && ++f.create_attempts < 100;
    if (retry)
      return create_destination(f); // (named from now on, or another name)
    f.dir.reset();
    abandon_setup(f, path_failure("cannot create regular file", f.item.destination, ec));
    return pump();
  }
  if (auto error = finish_pair(f.item, ctx_.opts.direct, block_size_, ctx_, f.pair)) {
    abandon_setup(f, std::move(error));
    return pump();
  }
  f.regions =
      extent_cursor(f.pair.source.native_handle(), f.pair.size, f.pair.sparse, f.pair.alignment);
  f.queued = true;
  ready_.push_back(&f);
  pump();
}

// A file whose setup failed (why) or that a stop caught in setup (no why):
// reported, counted, and gone (its temporary, if made, removed).
void uring_pipeline::abandon_setup(open_file& f, std::optional<failure> why) {
  if (why && !why->interrupted)
    ctx_.out.error(why->message);
  f.finishing = true;
  file_done(f, false);
}

bool uring_pipeline::has_block(open_file& f) {
  if (!f.retries.empty())
    return true;
  while (f.next >= f.region_end) {
    if (f.regions_done)
      return false;
    std::uint64_t begin = 0, end = 0;
    std::error_code ec;
    if (!f.regions.next(begin, end, ec)) {
      f.regions_done = true;
      if (ec)
        set_error(f, path_failure("cannot find the data regions of", f.item.source, ec));
      return false;
    }
    if (f.pair.alignment && f.pair.sparse)
      if (auto error = preallocate(f.item, f.pair, begin, end)) {
        f.regions_done = true;
        set_error(f, std::move(*error));
        return false;
      }
    f.next = begin;
    f.region_end = end;
  }
  return true;
}

uring_pipeline::block uring_pipeline::take_block(open_file& f) {
  if (!f.retries.empty()) {
    block b = f.retries.back();
    f.retries.pop_back();
    return b;
  }
  block b{f.next, std::min<std::uint64_t>(block_size_, f.region_end - f.next)};
  f.next += b.length;
  return b;
}

void uring_pipeline::issue(open_file& f, auf::fixed_buffer buffer) {
  block b = take_block(f);
  if (!has_block(f))
    unqueue(f); // all issued: it finishes when the last block completes
  ++f.in_flight;
  buffer.set_range(0, static_cast<std::size_t>(b.length));
  if (f.pair.alignment && b.offset + b.length > f.pair.size)
    return issue_tail(f, b, std::move(buffer));
  // READ_FIXED linked to WRITE_FIXED; a short read (the source shrank) is
  // written as far as it goes and the rest retried.
  auf::async_copy_fixed_at(
      f.pair.source, b.offset, f.pair.destination.file(), b.offset, std::move(buffer),
      [this, fp = &f, b](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer buffer) {
        buffer.release(); // back to the pool before anything else
        on_block_done(*fp, b, ec, p.written, false, p.failed);
      });
}

// The O_DIRECT block that holds the end of the file: the aligned read comes
// back short; the data is padded with zeros to the alignment and written
// with O_DIRECT like every other block, and finalize_file truncates the
// padding away before the temporary is renamed. One descriptor and one path
// for all data (no buffered write mixed into a file written with O_DIRECT),
// and the padding is never visible under the destination name.
void uring_pipeline::issue_tail(open_file& f, block b, auf::fixed_buffer buffer) {
  auf::async_read_fixed_at(
      f.pair.source, b.offset, std::move(buffer),
      [this, fp = &f, b](auf::error_code ec, std::size_t n, auf::fixed_buffer buffer) {
        open_file& f = *fp;
        if (ec || n == 0 || ctx_.stop_requested() || f.error) {
          buffer.release();
          return on_block_done(f, b, ec, 0, true, auf::copy_side::read);
        }
        std::size_t padded = static_cast<std::size_t>(round_up(n, f.pair.alignment));
        std::memset(buffer.data() + n, 0, padded - n);
        buffer.set_range(0, padded);
        auf::async_write_fixed_all_at(
            f.pair.destination.file(), b.offset, std::move(buffer),
            [this, fp, b, n](auf::error_code ec, std::size_t, auf::fixed_buffer buffer) {
              buffer.release();
              on_block_done(*fp, b, ec, ec ? 0 : n, true, auf::copy_side::write);
            });
      });
}

void uring_pipeline::on_block_done(open_file& f, block b, const auf::error_code& ec, std::size_t n,
                                   bool tail, auf::copy_side failed) {
  --f.in_flight;
  ++blocks_done_;
  ctx_.progress.add_bytes(n);
  if (ec == boost::asio::error::eof) {
    f.end_of_data = std::min(f.end_of_data, b.offset);
  } else if (ec) {
    if (!(ec == boost::asio::error::operation_aborted && ctx_.stop_requested()))
      set_error(f, copy_failure(f.item, ec, failed));
  } else if (n < b.length) {
    if (tail) {
      f.end_of_data = std::min(f.end_of_data, b.offset + n);
    } else if (!f.error) {
      f.retries.push_back({b.offset + n, b.length - n});
      if (!f.queued) {
        f.queued = true;
        ready_.push_back(&f);
      }
    }
  }
  maybe_finish(f);
  pump();
}

void uring_pipeline::set_error(open_file& f, failure failure) {
  if (!f.error)
    f.error = std::move(failure);
  unqueue(f);
}

void uring_pipeline::unqueue(open_file& f) {
  if (!f.queued)
    return;
  f.queued = false;
  if (!ready_.empty() && ready_.front() == &f)
    ready_.pop_front();
  else
    ready_.erase(std::find(ready_.begin(), ready_.end(), &f));
}

// A file is finished when nothing of it is in flight and either all its
// blocks are done (finalize) or it failed or the run is stopping (abandon:
// the temporary is removed).
void uring_pipeline::maybe_finish(open_file& f) {
  if (f.in_flight > 0 || f.finishing)
    return;
  bool abandon = f.error.has_value() || ctx_.stop_requested();
  if (!abandon && (f.queued || !f.retries.empty()))
    return;
  unqueue(f);
  f.finishing = true;
  if (abandon) {
    if (f.error && !f.error->interrupted)
      ctx_.out.error(f.error->message);
    return file_done(f, false);
  }
  finalize(f);
}

void uring_pipeline::finalize(open_file& f) {
  std::uint64_t final_size = std::min(f.pair.size, f.end_of_data);
  auto report = [this](open_file& f, const finalize_result& r) {
    if (r.error && !r.error->interrupted)
      ctx_.out.error(r.error->message);
    if (r.committed && ctx_.opts.verbose)
      ctx_.out.line(fmt::format("{} -> {}", quote(f.item.source), quote(f.item.destination)));
    file_done(f, r.committed);
  };
  // The source check, attributes, fsync, --verify, the link or rename into
  // place and the closes: system calls io_uring has no operation for, or
  // that block, on a worker; back here to finish.
  ++finalizing_;
  boost::asio::post(workers_, [this, fp = &f, final_size, report] {
    finalize_result r = finalize_file(fp->item, fp->pair, final_size, ctx_);
    boost::asio::post(io_, [this, fp, r = std::move(r), report] {
      --finalizing_;
      report(*fp, r);
      pump();
    });
  });
}

void uring_pipeline::file_done(open_file& f, bool committed) {
  ctx_.progress.file_done(committed);
  open_.erase(f.self); // closes both files; removes the temporary unless renamed
}

void uring_pipeline::maybe_done() {
  if (done_posted_ || !open_.empty() || acquire_pending_ || finalizing_ > 0)
    return;
  if (next_item_ < items_.size() && !ctx_.stop_requested())
    return;
  done_posted_ = true;
  boost::asio::post(io_, done_);
}

} // namespace uring_cp

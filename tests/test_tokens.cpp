// The token matrix: every initiating function of the library started with
// every kind of completion token Asio programs use, and each result checked.
//
// Rows are the initiating functions, each described by a *launcher* below (how
// to start it normally, how to make it fail, how to start it so that it stays
// blocked, how to unblock it, and what each outcome must look like); columns
// are the tokens, each a function template run for every launcher. A suite per
// launcher holds one test case per token:
// tokens/<function>/<token>.
//
// Blocked operations are reads and writes on a pipe (a copy reads from one)
// and async_acquire on an exhausted pool. Pipes block on both backends (the
// portable one waits for readiness in its poller); the pipe cases still carry
// a precondition that probes the backend with one read and one write and
// skips, with the reason, where a backend cannot do them.
// Timers only trigger cancellations of operations that are blocked anyway (or
// give a cancellation that must be ignored the time to show it was not):
// nothing here depends on how fast the machine is.
#include "support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>

using namespace test;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t block = 4096;
constexpr std::size_t pool_size = 16;
/// Bytes that unblock a pipe operation (written to the pipe, or the size of
/// a blocked write).
constexpr std::size_t message = 100;
/// Only a hang ends a run this long: the cases take milliseconds.
constexpr auto hang_guard = 20s;
/// When a cancellation triggers. The operation is blocked: any delay works.
constexpr auto cancel_after = 10ms;
/// How long a cancellation that must be ignored is given to show that it was
/// not, before the operation is unblocked. A slow machine cannot make a case
/// fail through it, only miss a wrongly honoured cancellation.
constexpr auto grace = 50ms;

// ---------------------------------------------------------------------------
// Files, a pipe, and an io_context with a pool (a "rig": the destroy-path
// cases make a second one and destroy it with operations in flight).

struct files {
  scratch s;
  std::vector<std::byte> data = pattern(pool_size * block, 5);
  fs::path src_path = s.path("src"), out_path = s.path("out"), dst_path = s.path("dst");
  auf::file src = (write_file(src_path, data), auf::file(src_path, auf::file::read_only));
  auf::file out{out_path, auf::file::read_write | auf::file::create};
  auf::file dst{dst_path, auf::file::read_write | auf::file::create};
  pipe_pair pipe;
  std::vector<std::byte> pipe_message = pattern(message, 77);

  std::span<const std::byte> expect(std::size_t offset, std::size_t n) const {
    return std::span(data).subspan(offset, n);
  }
};

struct rig {
  test_context ctx;
  auf::fixed_buffer_pool pool{ctx, pool_size, block};
  std::optional<auf::fixed_buffer_pool> failed;
  std::vector<auf::fixed_buffer> held; // what exhausts the pool

  /// A pool whose construction failed: async_acquire reports errc::no_pool.
  auf::fixed_buffer_pool& failed_pool() {
    if (!failed) {
      auf::error_code ec;
      failed.emplace(ctx, 0, block, auf::pool_options{}, ec);
      BOOST_REQUIRE(!!ec);
    }
    return *failed;
  }

  void exhaust() {
    while (auto b = pool.try_acquire())
      held.push_back(std::move(b));
  }
};

struct fixture : files {
  rig r;
};

/// Runs ctx until it has no work left, or fails after the hang guard.
void run_guarded(asio::io_context& ctx) {
  ctx.restart();
  ctx.run_for(hang_guard);
  BOOST_TEST_REQUIRE(ctx.stopped(), "an operation did not complete within the hang guard");
}

// ---------------------------------------------------------------------------
// Pipes: fill to block a write, drain to unblock it.

void fill_pipe(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  BOOST_REQUIRE(::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0);
  std::vector<char> chunk(block, 'f');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {
  }
  while (::write(fd, chunk.data(), 1) > 0) { // the last page's free bytes
  }
  BOOST_REQUIRE(errno == EAGAIN);
  // Blocking again: io_uring would report EAGAIN on an O_NONBLOCK pipe.
  BOOST_REQUIRE(::fcntl(fd, F_SETFL, flags) == 0);
}

void drain_pipe(int fd) {
  std::vector<char> sink(64 * 1024);
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
    BOOST_REQUIRE(::read(fd, sink.data(), sink.size()) > 0);
}

/// Precondition of the pipe cases: reads and writes on a pipe work on this
/// run's backend (always on io_uring; on the portable backend once it waits
/// for readiness instead of calling pread). Probed with data and space
/// present, so the answer does not depend on timing.
boost::test_tools::assertion_result pipes_work(boost::unit_test::test_unit_id) {
  static const auto probe = [] {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 2, block);
    pipe_pair p;
    if (::write(p.write_end, "x", 1) != 1)
      return boost::test_tools::assertion_result(false);
    auf::error_code read_ec, write_ec;
    std::size_t read_n = 0, write_n = 0;
    auto rb = pool.try_acquire();
    rb.set_range(0, 1);
    auf::async_read_fixed_at(p.read_end, 0, std::move(rb),
                             [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                               read_ec = ec;
                               read_n = n;
                             });
    auto wb = pool.try_acquire();
    wb.set_range(0, 1);
    auf::async_write_fixed_at(p.write_end, 0, std::move(wb),
                              [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                write_ec = ec;
                                write_n = n;
                              });
    ctx.run_for(hang_guard);
    boost::test_tools::assertion_result r(!read_ec && read_n == 1 && !write_ec && write_n == 1);
    if (!r)
      r.message() << "reads and writes on a pipe do not work on the "
                  << auf::to_string(asio::use_service<auf::uring_service>(ctx).backend())
                  << " backend of this run (read: " << read_ec.message()
                  << ", write: " << write_ec.message()
                  << "); the blocked-operation cases need a pipe (issue 11, defect 7)";
    return r;
  }();
  return probe;
}

boost::test_tools::assertion_result always(boost::unit_test::test_unit_id) {
  return true;
}

// ---------------------------------------------------------------------------
// Outcomes: every completion, whatever its token, becomes one of these.

struct outcome {
  int calls = 0;
  auf::error_code ec;
  std::size_t n = 0; // bytes (written, for a copy; the buffer's size, for acquire)
  auf::copy_progress progress{};
  auf::fixed_buffer lease;
};

outcome to_outcome(auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
  return {1, ec, n, {}, std::move(b)};
}
outcome to_outcome(auf::error_code ec, auf::copy_progress p, auf::fixed_buffer b) {
  return {1, ec, p.written, p, std::move(b)};
}
outcome to_outcome(auf::error_code ec, auf::fixed_buffer b) {
  std::size_t n = b.size();
  return {1, ec, n, {}, std::move(b)};
}

/// What use_future and use_awaitable deliver: the values after the error.
template <typename... T>
outcome from_values(std::tuple<T...>&& values) {
  return std::apply([](auto&&... v) { return to_outcome(auf::error_code(), std::move(v)...); },
                    std::move(values));
}
outcome from_values(auf::fixed_buffer&& b) {
  return to_outcome(auf::error_code(), std::move(b));
}

/// What as_tuple delivers: the error and the values.
template <typename... T>
outcome from_tuple(std::tuple<T...>&& all) {
  return std::apply([](auto&&... v) { return to_outcome(std::move(v)...); }, std::move(all));
}

/// A copyable callback that records into an outcome.
struct recorder {
  outcome* into;
  template <typename... Args>
  void operator()(Args... args) const {
    int calls = into->calls;
    *into = to_outcome(std::move(args)...);
    into->calls = calls + 1;
  }
};

/// Releases what the case holds, then checks every buffer is back.
void all_leases_back(rig& r, std::span<outcome> outcomes) {
  for (auto& o : outcomes)
    o.lease.release();
  r.held.clear();
  BOOST_TEST(r.pool.available() == pool_size);
}

// ---------------------------------------------------------------------------
// The launchers: one per initiating function.
//
//   start(f, r, i, token)       succeeds; operation i of up to pool_size
//   check(f, i, outcome)        what operation i must deliver
//   start_failing(r, token)     fails before it starts, with failure()
//   start_blocked(f, r, token)  stays in flight until unblock(f, r)
//   check_unblocked(f, o)       what it delivers once unblocked
//   accepted                    the cancellation types it honours
//   check_aborted(f, o)         what a cancelled one delivers (and did not do)
//   can_block                   precondition of the start_blocked cases

constexpr auto all_types = asio::cancellation_type::terminal | asio::cancellation_type::partial |
                           asio::cancellation_type::total;
constexpr auto composed_types =
    asio::cancellation_type::terminal | asio::cancellation_type::partial;

/// The file-operation part shared by the four read/write launchers.
struct file_operation {
  static void check_aborted(files&, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST((o.ec == asio::error::operation_aborted), o.ec.message());
    BOOST_TEST(o.n == 0u);     // nothing was transferred
    BOOST_TEST(bool(o.lease)); // handed back
  }
  static boost::test_tools::assertion_result can_block(boost::unit_test::test_unit_id id) {
    return pipes_work(id);
  }
  static auf::error_code failure() { return auf::errc::invalid_offset; }
  static constexpr std::uint64_t bad_offset = std::numeric_limits<std::uint64_t>::max();
  static void check_failed(const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST((o.ec == failure()), o.ec.message());
    BOOST_TEST(o.n == 0u);
    BOOST_TEST(bool(o.lease)); // handed back
  }
  static auf::fixed_buffer small_lease(rig& r) {
    auto b = r.pool.try_acquire();
    b.set_range(0, message);
    return b;
  }
};

/// The read launchers' shared checks.
struct reading : file_operation {
  static void check(files& f, std::size_t i, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.n == block);
    BOOST_TEST_REQUIRE(bool(o.lease));
    BOOST_TEST(same(o.lease.span(), f.expect(i * block, block)));
  }
  static void unblock(files& f, rig&) {
    BOOST_REQUIRE(::write(f.pipe.write_end, f.pipe_message.data(), message) == ssize_t(message));
  }
  static void check_unblocked(files& f, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.n == message);
    BOOST_TEST_REQUIRE(bool(o.lease));
    BOOST_TEST(same(o.lease.span(), f.pipe_message));
  }
};

/// The write launchers' shared checks: operation i writes pattern(block, i)
/// at i * block of the output file.
struct writing : file_operation {
  static auf::fixed_buffer filled(rig& r, std::size_t i) {
    auto b = r.pool.try_acquire();
    auto src = pattern(block, 100 + i);
    std::memcpy(b.data(), src.data(), block);
    return b;
  }
  static void check(files& f, std::size_t i, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.n == block);
    BOOST_TEST(bool(o.lease));
    auto written = read_file(f.out_path);
    BOOST_TEST_REQUIRE(written.size() >= (i + 1) * block);
    BOOST_TEST(same(std::span(written).subspan(i * block, block), pattern(block, 100 + i)));
  }
  static auf::fixed_buffer blocked_lease(files& f, rig& r) {
    fill_pipe(f.pipe.write_end);
    return small_lease(r);
  }
  static void unblock(files& f, rig&) { drain_pipe(f.pipe.read_end); }
  static void check_unblocked(files&, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(o.n == message);
    BOOST_TEST(bool(o.lease));
  }
};

struct read_at : reading {
  static constexpr auto accepted = all_types;
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_read_fixed_at(f.src, i * block, r.pool.try_acquire(),
                                    std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_read_fixed_at(f.src, bad_offset, r.pool.try_acquire(),
                                    std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_read_fixed_at(f.pipe.read_end, 0, small_lease(r), std::forward<Token>(token));
  }
};

struct read_all_at : reading {
  static constexpr auto accepted = composed_types;
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_read_fixed_all_at(f.src, i * block, r.pool.try_acquire(),
                                        std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_read_fixed_all_at(f.src, bad_offset, r.pool.try_acquire(),
                                        std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_read_fixed_all_at(f.pipe.read_end, 0, small_lease(r),
                                        std::forward<Token>(token));
  }
};

struct write_at : writing {
  static constexpr auto accepted = all_types;
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_write_fixed_at(f.out, i * block, filled(r, i), std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_write_fixed_at(f.out, bad_offset, filled(r, 0), std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_write_fixed_at(f.pipe.write_end, 0, blocked_lease(f, r),
                                     std::forward<Token>(token));
  }
};

struct write_all_at : writing {
  static constexpr auto accepted = composed_types;
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_write_fixed_all_at(f.out, i * block, filled(r, i),
                                         std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_write_fixed_all_at(f.out, bad_offset, filled(r, 0),
                                         std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_write_fixed_all_at(f.pipe.write_end, 0, blocked_lease(f, r),
                                         std::forward<Token>(token));
  }
};

/// async_copy_fixed_at: block i of src to block i of dst; blocked, it reads
/// from the pipe into dst after the blocks the others write.
struct copy_at : file_operation {
  static constexpr auto accepted = composed_types;
  static constexpr std::uint64_t blocked_at = pool_size * block;
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_copy_fixed_at(f.src, i * block, f.dst, i * block, r.pool.try_acquire(),
                                    std::forward<Token>(token));
  }
  static void check(files& f, std::size_t i, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST((o.progress == auf::copy_progress{block, block, auf::copy_side::none}));
    BOOST_TEST_REQUIRE(bool(o.lease));
    BOOST_TEST(same(o.lease.span(), f.expect(i * block, block)));
    auto copied = read_file(f.dst_path);
    BOOST_TEST_REQUIRE(copied.size() >= (i + 1) * block);
    BOOST_TEST(same(std::span(copied).subspan(i * block, block), f.expect(i * block, block)));
  }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_copy_fixed_at(f.src, bad_offset, f.dst, 0, r.pool.try_acquire(),
                                    std::forward<Token>(token));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_copy_fixed_at(f.pipe.read_end, 0, f.dst, blocked_at, small_lease(r),
                                    std::forward<Token>(token));
  }
  static void check_aborted(files& f, const outcome& o) {
    file_operation::check_aborted(f, o);
    BOOST_TEST((o.progress == auf::copy_progress{0, 0, auf::copy_side::read}));
    BOOST_TEST(f.dst.size() == 0u); // nothing written
  }
  static void unblock(files& f, rig& r) { reading::unblock(f, r); }
  static void check_unblocked(files& f, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST((o.progress == auf::copy_progress{message, message, auf::copy_side::none}));
    BOOST_TEST_REQUIRE(bool(o.lease));
    BOOST_TEST(same(o.lease.span(), f.pipe_message));
    auto copied = read_file(f.dst_path);
    BOOST_TEST_REQUIRE(copied.size() == blocked_at + message);
    BOOST_TEST(same(std::span(copied).subspan(blocked_at), f.pipe_message));
  }
};

/// The overload of async_copy_fixed_at with copy_options: pad_tail_to = 4
/// divides every range used here, and no read is short of its range, so
/// nothing is padded; it fails with an option that is not a power of two.
struct copy_with_options_at : copy_at {
  static auf::copy_options options(std::size_t pad = 4) { return {pad}; }
  template <typename Token>
  static auto start(files& f, rig& r, std::size_t i, Token&& token) {
    return auf::async_copy_fixed_at(f.src, i * block, f.dst, i * block, r.pool.try_acquire(),
                                    options(), std::forward<Token>(token));
  }
  static auf::error_code failure() { return auf::errc::invalid_option; }
  template <typename Token>
  static auto start_failing(files& f, rig& r, Token&& token) {
    return auf::async_copy_fixed_at(f.src, 0, f.dst, 0, r.pool.try_acquire(), options(3),
                                    std::forward<Token>(token));
  }
  static void check_failed(const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST((o.ec == failure()), o.ec.message());
    BOOST_TEST(o.n == 0u);
    BOOST_TEST(bool(o.lease));
  }
  template <typename Token>
  static auto start_blocked(files& f, rig& r, Token&& token) {
    return auf::async_copy_fixed_at(f.pipe.read_end, 0, f.dst, blocked_at, small_lease(r),
                                    options(), std::forward<Token>(token));
  }
};

/// fixed_buffer_pool::async_acquire: blocked on an exhausted pool, unblocked
/// by releasing a buffer; a cancelled waiter gets no lease.
struct acquire {
  static constexpr auto accepted = all_types;
  static boost::test_tools::assertion_result can_block(boost::unit_test::test_unit_id id) {
    return always(id);
  }
  template <typename Token>
  static auto start(files&, rig& r, std::size_t, Token&& token) {
    return r.pool.async_acquire(std::forward<Token>(token));
  }
  static void check(files&, std::size_t, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec, o.ec.message());
    BOOST_TEST(bool(o.lease));
    BOOST_TEST(o.lease.size() == block);
  }
  static auf::error_code failure() { return auf::errc::no_pool; }
  template <typename Token>
  static auto start_failing(files&, rig& r, Token&& token) {
    return r.failed_pool().async_acquire(std::forward<Token>(token));
  }
  static void check_failed(const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST((o.ec == failure()), o.ec.message());
    BOOST_TEST(!o.lease);
  }
  template <typename Token>
  static auto start_blocked(files&, rig& r, Token&& token) {
    r.exhaust();
    return r.pool.async_acquire(std::forward<Token>(token));
  }
  static void unblock(files&, rig& r) {
    BOOST_REQUIRE(!r.held.empty());
    r.held.pop_back(); // straight to the waiter
  }
  static void check_unblocked(files& f, const outcome& o) { check(f, 0, o); }
  static void check_aborted(files&, const outcome& o) {
    BOOST_TEST(o.calls == 1);
    BOOST_TEST((o.ec == asio::error::operation_aborted), o.ec.message());
    BOOST_TEST(!o.lease); // a removed waiter was granted nothing
  }
};

// ---------------------------------------------------------------------------
// Allocators: one that counts, and one that allocates from an arena inside a
// session the handler owns.

struct allocation_stats {
  int allocations = 0;
  int deallocations = 0;
  std::size_t outstanding = 0; // bytes
  int after_session_died = 0;
};

template <typename T>
struct counting_allocator {
  using value_type = T;
  allocation_stats* stats;
  explicit counting_allocator(allocation_stats* s) : stats(s) {}
  template <typename U>
  counting_allocator(const counting_allocator<U>& o) : stats(o.stats) {}
  T* allocate(std::size_t n) {
    ++stats->allocations;
    stats->outstanding += n * sizeof(T);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    ++stats->deallocations;
    stats->outstanding -= n * sizeof(T);
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const counting_allocator<U>& o) const {
    return stats == o.stats;
  }
};

/// What a handler keeps alive, with the memory its operations use. Made
/// with new (not make_shared) so its memory is freed when the last
/// shared_ptr goes: using it after that is a use-after-free ASan reports.
struct session {
  static constexpr std::uint64_t alive = 0x5e5510'a11fe;
  std::uint64_t magic = alive;
  std::size_t used = 0;
  int live_blocks = 0;
  alignas(64) std::byte arena[16384];
  ~session() { magic = 0; }
};

template <typename T>
struct arena_allocator {
  using value_type = T;
  session* owner; // a raw pointer into what the handler owns
  allocation_stats* stats;
  arena_allocator(session* s, allocation_stats* st) : owner(s), stats(st) {}
  template <typename U>
  arena_allocator(const arena_allocator<U>& o) : owner(o.owner), stats(o.stats) {}
  T* allocate(std::size_t n) {
    constexpr std::size_t align = alignof(T) > 64 ? alignof(T) : 64;
    std::size_t at = (owner->used + align - 1) / align * align;
    if (at + n * sizeof(T) > sizeof(owner->arena))
      throw std::bad_alloc();
    owner->used = at + n * sizeof(T);
    ++owner->live_blocks;
    ++stats->allocations;
    stats->outstanding += n * sizeof(T);
    return reinterpret_cast<T*>(owner->arena + at);
  }
  void deallocate(T*, std::size_t n) {
    ++stats->deallocations;
    stats->outstanding -= n * sizeof(T);
    // Reads and writes the session: after it died, ASan stops here; without
    // ASan the magic usually tells.
    if (owner->magic != session::alive)
      ++stats->after_session_died;
    --owner->live_blocks;
  }
  template <typename U>
  bool operator==(const arena_allocator<U>& o) const {
    return owner == o.owner;
  }
};

/// A handler that is the only owner of its session and allocates from it.
template <typename Handler>
auto session_handler(std::shared_ptr<session>&& s, allocation_stats& stats, Handler h) {
  session* raw = s.get();
  return asio::bind_allocator(arena_allocator<void>(raw, &stats),
                              [s = std::move(s), h = std::move(h)](auto... args) mutable {
                                BOOST_TEST(s->magic == session::alive);
                                h(std::move(args)...);
                              });
}

void check_all_freed(const allocation_stats& stats) {
  BOOST_TEST(stats.allocations >= 1); // the operation's memory came from the allocator
  BOOST_TEST(stats.deallocations == stats.allocations);
  BOOST_TEST(stats.outstanding == 0u);
  BOOST_TEST(stats.after_session_died == 0);
}

// ---------------------------------------------------------------------------
// The columns.

template <typename L>
void plain_callback() {
  fixture f;
  std::array<outcome, 4> o;
  for (std::size_t i = 0; i < o.size(); ++i)
    L::start(f, f.r, i, [&o, i](auto... args) { recorder{&o[i]}(std::move(args)...); });
  BOOST_TEST(o[0].calls == 0); // never inside the initiating call
  outcome failed;
  L::start_failing(f, f.r, recorder{&failed});
  BOOST_TEST(failed.calls == 0);
  run_guarded(f.r.ctx);
  for (std::size_t i = 0; i < o.size(); ++i)
    L::check(f, i, o[i]);
  L::check_failed(failed);
  failed.lease.release();
  all_leases_back(f.r, o);
}

template <typename L>
void move_only_callback() {
  fixture f;
  outcome o;
  auto owned = std::make_unique<int>(42);
  auto handler = [&o, owned = std::move(owned)](auto... args) {
    BOOST_TEST(*owned == 42);
    recorder{&o}(std::move(args)...);
  };
  static_assert(!std::is_copy_constructible_v<decltype(handler)>);
  L::start(f, f.r, 0, std::move(handler));
  run_guarded(f.r.ctx);
  L::check(f, 0, o);
  all_leases_back(f.r, {&o, 1});
}

template <typename L>
void use_future() {
  fixture f;
  auto guard = asio::make_work_guard(f.r.ctx);
  std::thread runner([&] { f.r.ctx.run_for(hang_guard); });
  std::array<outcome, 2> o;
  {
    auto first = L::start(f, f.r, 0, asio::use_future);
    auto second = L::start(f, f.r, 1, asio::use_future);
    BOOST_TEST_REQUIRE((second.wait_for(hang_guard) == std::future_status::ready));
    o[1] = from_values(second.get());
    o[0] = from_values(first.get());
  }
  // Errors arrive as the exception, carrying the code.
  auto bad = L::start_failing(f, f.r, asio::use_future);
  auf::error_code got;
  try {
    bad.get();
  } catch (const auf::system_error& e) {
    got = e.code();
  }
  BOOST_TEST((got == L::failure()), got.message());
  // use_future's handler runs on the system executor's threads, where it
  // drops the lease of the failed operation only after setting the
  // exception: wait for that buffer (o holds two).
  auto until = std::chrono::steady_clock::now() + hang_guard;
  while (f.r.pool.available() != pool_size - o.size() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  guard.reset();
  runner.join();
  BOOST_TEST(f.r.ctx.stopped());
  for (std::size_t i = 0; i < o.size(); ++i)
    L::check(f, i, o[i]);
  all_leases_back(f.r, o);
}

template <typename L>
void use_awaitable() {
  fixture f;
  std::array<outcome, 2> o;
  auf::error_code got;
  bool done = false;
  asio::co_spawn(
      f.r.ctx,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < o.size(); ++i)
          o[i] = from_values(co_await L::start(f, f.r, i, asio::use_awaitable));
        try {
          co_await L::start_failing(f, f.r, asio::use_awaitable);
        } catch (const auf::system_error& e) {
          got = e.code();
        }
      },
      [&](std::exception_ptr e) {
        BOOST_TEST(!e);
        done = true;
      });
  run_guarded(f.r.ctx);
  BOOST_TEST(done);
  for (std::size_t i = 0; i < o.size(); ++i)
    L::check(f, i, o[i]);
  BOOST_TEST((got == L::failure()), got.message());
  all_leases_back(f.r, o);
}

template <typename L>
void as_tuple_awaitable() {
  fixture f;
  outcome o, failed;
  bool done = false;
  asio::co_spawn(
      f.r.ctx,
      [&]() -> asio::awaitable<void> {
        o = from_tuple(co_await L::start(f, f.r, 0, asio::as_tuple(asio::use_awaitable)));
        // as_tuple keeps the lease on error, where use_awaitable throws.
        failed = from_tuple(co_await L::start_failing(f, f.r, asio::as_tuple(asio::use_awaitable)));
        done = true;
      },
      [&](std::exception_ptr e) { BOOST_TEST(!e); });
  run_guarded(f.r.ctx);
  BOOST_TEST(done);
  L::check(f, 0, o);
  L::check_failed(failed);
  std::array<outcome, 2> both{std::move(o), std::move(failed)};
  all_leases_back(f.r, both);
}

template <typename L>
void deferred() {
  fixture f;
  outcome o;
  auto op = L::start(f, f.r, 0, asio::deferred);
  run_guarded(f.r.ctx); // nothing started: no work
  BOOST_TEST(o.calls == 0);
  std::move(op)(recorder{&o});
  run_guarded(f.r.ctx);
  L::check(f, 0, o);
  all_leases_back(f.r, {&o, 1});
}

template <typename L>
void bind_executor_strand() {
  fixture f;
  auto strand = asio::make_strand(f.r.ctx);
  std::array<outcome, 8> o;
  int outside_strand = 0;
  int concurrent = 0, in_handler = 0; // guarded by the strand
  for (std::size_t i = 0; i < o.size(); ++i)
    L::start(f, f.r, i, asio::bind_executor(strand, [&, i](auto... args) {
               if (!strand.running_in_this_thread())
                 ++outside_strand;
               if (++in_handler != 1)
                 ++concurrent;
               recorder{&o[i]}(std::move(args)...);
               --in_handler;
             }));
  std::thread second([&] { f.r.ctx.run_for(hang_guard); });
  f.r.ctx.run_for(hang_guard);
  second.join();
  BOOST_TEST(f.r.ctx.stopped());
  BOOST_TEST(outside_strand == 0);
  BOOST_TEST(concurrent == 0);
  for (std::size_t i = 0; i < o.size(); ++i)
    L::check(f, i, o[i]);
  all_leases_back(f.r, o);
}

template <typename L>
void bind_allocator_counting() {
  fixture f;
  allocation_stats stats;
  outcome o;
  L::start(f, f.r, 0, asio::bind_allocator(counting_allocator<void>(&stats), recorder{&o}));
  BOOST_TEST(stats.allocations >= 1); // the operation's memory came from the allocator
  run_guarded(f.r.ctx);
  L::check(f, 0, o);
  check_all_freed(stats);
  all_leases_back(f.r, {&o, 1});
}

/// The complete path: the handler, last owner of the session, is destroyed
/// after its upcall; the operation's memory must be freed before.
template <typename L>
void bind_allocator_session() {
  fixture f;
  allocation_stats stats;
  outcome o;
  std::weak_ptr<session> watch;
  {
    std::shared_ptr<session> s(new session);
    watch = s;
    L::start(f, f.r, 0, session_handler(std::move(s), stats, recorder{&o}));
  }
  BOOST_TEST(!watch.expired()); // the handler holds it
  run_guarded(f.r.ctx);
  BOOST_TEST(watch.expired()); // the handler, its only owner, is gone
  L::check(f, 0, o);
  check_all_freed(stats);
  all_leases_back(f.r, {&o, 1});
}

/// The destroy path: the operation is in flight when its io_context is
/// destroyed; the handler is destroyed without being called, and the memory
/// its session provided must be freed before the handler goes.
template <typename L>
void bind_allocator_session_destroyed() {
  files f;
  allocation_stats stats;
  outcome o;
  std::weak_ptr<session> watch;
  std::vector<auf::fixed_buffer> held; // leases outlive the io_context
  {
    auto r = std::make_unique<rig>();
    std::shared_ptr<session> s(new session);
    watch = s;
    L::start_blocked(f, *r, session_handler(std::move(s), stats, recorder{&o}));
    r->ctx.poll();
    BOOST_TEST(o.calls == 0);
    BOOST_TEST(!watch.expired());
    held = std::move(r->held); // else releasing them would grant a waiter
  }                            // the pool, then the io_context with the operation in flight
  BOOST_TEST(o.calls == 0);
  BOOST_TEST(watch.expired());
  check_all_freed(stats);
}

template <typename L>
void cancel_blocked(asio::cancellation_type type) {
  fixture f;
  asio::cancellation_signal signal;
  outcome o;
  L::start_blocked(f, f.r, asio::bind_cancellation_slot(signal.slot(), recorder{&o}));
  const bool honoured = (type & L::accepted) != asio::cancellation_type::none;
  asio::steady_timer trigger(f.r.ctx, cancel_after), later(f.r.ctx);
  trigger.async_wait([&](auf::error_code) {
    BOOST_TEST(o.calls == 0);
    signal.emit(type);
    if (honoured)
      return;
    // Not supported: it must still be blocked a while later, then complete
    // normally once unblocked.
    later.expires_after(grace);
    later.async_wait([&](auf::error_code) {
      BOOST_TEST(o.calls == 0, "a cancellation the operation does not support ended it");
      L::unblock(f, f.r);
    });
  });
  run_guarded(f.r.ctx);
  if (honoured)
    L::check_aborted(f, o);
  else
    L::check_unblocked(f, o);
  all_leases_back(f.r, {&o, 1});
}

template <typename L>
void parallel_group_timeout() {
  fixture f;
  asio::steady_timer timer(f.r.ctx, cancel_after);
  outcome o;
  std::array<std::size_t, 2> order{9, 9};
  auf::error_code timer_ec;
  asio::experimental::make_parallel_group(timer.async_wait(asio::deferred),
                                          L::start_blocked(f, f.r, asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
                  [&](std::array<std::size_t, 2> ord, auf::error_code t, auto... args) {
                    order = ord;
                    timer_ec = t;
                    recorder{&o}(std::move(args)...);
                  });
  run_guarded(f.r.ctx);
  BOOST_TEST(order[0] == 0u); // the timer won
  BOOST_TEST(order[1] == 1u);
  BOOST_TEST(!timer_ec);
  L::check_aborted(f, o);
  all_leases_back(f.r, {&o, 1});
}

/// Emitting long after completion (the slot still holds what the library
/// installed) must be harmless, and the slot usable by the next operation.
template <typename L>
void cancel_after_completion() {
  fixture f;
  asio::cancellation_signal signal;
  std::array<outcome, 2> o;
  for (std::size_t i = 0; i < o.size(); ++i) {
    L::start(f, f.r, i, asio::bind_cancellation_slot(signal.slot(), recorder{&o[i]}));
    run_guarded(f.r.ctx);
    L::check(f, i, o[i]);
    if (!signal.slot().has_handler())
      BOOST_TEST_MESSAGE("the slot was cleared at completion");
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                      asio::cancellation_type::total})
      signal.emit(type);
    run_guarded(f.r.ctx);
  }
  for (std::size_t i = 0; i < o.size(); ++i)
    BOOST_TEST(o[i].calls == 1);
  all_leases_back(f.r, o);
}

/// A stale emission (its operation completed) must not reach the next
/// operation, which likely reuses the completed one's memory.
template <typename L>
void stale_cancel_spares_the_next() {
  fixture f;
  asio::cancellation_signal signal;
  outcome first, next;
  L::start(f, f.r, 0, asio::bind_cancellation_slot(signal.slot(), recorder{&first}));
  run_guarded(f.r.ctx);
  L::check(f, 0, first);
  L::start_blocked(f, f.r, recorder{&next});
  asio::steady_timer trigger(f.r.ctx, cancel_after), later(f.r.ctx);
  trigger.async_wait([&](auf::error_code) {
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                      asio::cancellation_type::total})
      signal.emit(type);
    later.expires_after(grace);
    later.async_wait([&](auf::error_code) {
      BOOST_TEST(next.calls == 0, "a stale cancellation ended another operation");
      L::unblock(f, f.r);
    });
  });
  run_guarded(f.r.ctx);
  L::check_unblocked(f, next);
  std::array<outcome, 2> both{std::move(first), std::move(next)};
  all_leases_back(f.r, both);
}

} // namespace

// One suite per initiating function, one case per token.
#define ASIO_URING_FIXED_TOKEN_ROW(function, L)                                                    \
  BOOST_AUTO_TEST_SUITE(function)                                                                  \
  BOOST_AUTO_TEST_CASE(plain_callback) {                                                           \
    ::plain_callback<L>();                                                                         \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(move_only_callback) {                                                       \
    ::move_only_callback<L>();                                                                     \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(use_future) {                                                               \
    ::use_future<L>();                                                                             \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(use_awaitable) {                                                            \
    ::use_awaitable<L>();                                                                          \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(as_tuple_use_awaitable) {                                                   \
    ::as_tuple_awaitable<L>();                                                                     \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(deferred) {                                                                 \
    ::deferred<L>();                                                                               \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(bind_executor_strand_two_threads) {                                         \
    ::bind_executor_strand<L>();                                                                   \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(bind_allocator_counting) {                                                  \
    ::bind_allocator_counting<L>();                                                                \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(bind_allocator_session_arena) {                                             \
    ::bind_allocator_session<L>();                                                                 \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(bind_allocator_session_arena_destroyed,                                     \
                       *boost::unit_test::precondition(L::can_block)) {                            \
    ::bind_allocator_session_destroyed<L>();                                                       \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(cancel_terminal, *boost::unit_test::precondition(L::can_block)) {           \
    ::cancel_blocked<L>(asio::cancellation_type::terminal);                                        \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(cancel_partial, *boost::unit_test::precondition(L::can_block)) {            \
    ::cancel_blocked<L>(asio::cancellation_type::partial);                                         \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(cancel_total, *boost::unit_test::precondition(L::can_block)) {              \
    ::cancel_blocked<L>(asio::cancellation_type::total);                                           \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(parallel_group_timeout, *boost::unit_test::precondition(L::can_block)) {    \
    ::parallel_group_timeout<L>();                                                                 \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(cancel_after_completion) {                                                  \
    ::cancel_after_completion<L>();                                                                \
  }                                                                                                \
  BOOST_AUTO_TEST_CASE(stale_cancel_spares_the_next,                                               \
                       *boost::unit_test::precondition(L::can_block)) {                            \
    ::stale_cancel_spares_the_next<L>();                                                           \
  }                                                                                                \
  BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tokens)
ASIO_URING_FIXED_TOKEN_ROW(async_read_fixed_at, read_at)
ASIO_URING_FIXED_TOKEN_ROW(async_write_fixed_at, write_at)
ASIO_URING_FIXED_TOKEN_ROW(async_read_fixed_all_at, read_all_at)
ASIO_URING_FIXED_TOKEN_ROW(async_write_fixed_all_at, write_all_at)
ASIO_URING_FIXED_TOKEN_ROW(async_copy_fixed_at, copy_at)
ASIO_URING_FIXED_TOKEN_ROW(async_copy_fixed_at_with_options, copy_with_options_at)
ASIO_URING_FIXED_TOKEN_ROW(async_acquire, acquire)
BOOST_AUTO_TEST_SUITE_END()

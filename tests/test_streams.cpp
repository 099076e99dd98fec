// Non-seekable descriptors (pipes, sockets) on both backends: a read waits
// for data and can be cancelled, a write waits for room, the offset is
// ignored, and shutdown ends blocked ones. Also the exception type the
// portable backend throws when it cannot be built.
#include "support.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

using namespace test;

namespace {

constexpr std::size_t block = 4096;

/// How long a test may wait for something that must happen: a guard against
/// hangs only, never a measurement.
constexpr auto hang_guard = std::chrono::seconds(60);

/// A delay for a timer that changes the scene (cancel, write, close) while
/// an operation is expected to be waiting. The tests pass whatever it is.
constexpr auto soon = std::chrono::milliseconds(50);

struct fixture {
  test_context ctx;
  auf::fixed_buffer_pool pool{ctx, 4, block};
};

/// A connected pair of stream sockets.
struct socket_pair {
  socket_pair() {
    int fds[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    a = fds[0];
    b = fds[1];
  }
  ~socket_pair() {
    ::close(a);
    ::close(b);
  }
  int a = -1;
  int b = -1;
};

void set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  BOOST_REQUIRE(flags >= 0);
  BOOST_REQUIRE(::fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) == 0);
}

std::string as_string(std::span<const std::byte> s) {
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

/// What one read/write completion delivered.
struct outcome {
  bool done = false;
  auf::error_code ec;
  std::size_t n = 0;
  std::string data; // bytes [0, n) of the lease
  bool got_lease = false;
};

auto record(outcome& o) {
  return [&o](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
    o.done = true;
    o.ec = ec;
    o.n = n;
    o.got_lease = !!b;
    if (b && !ec)
      o.data = as_string(b.span().first(n));
  };
}

/// A read of fd that nothing will satisfy, cancelled from a timer through
/// the handler's cancellation slot.
void cancel_blocked_read(asio::io_context& ctx, auf::fixed_buffer_pool& pool, int fd) {
  asio::cancellation_signal signal;
  outcome o;
  auf::async_read_fixed_at(fd, 0, pool.try_acquire(),
                           asio::bind_cancellation_slot(signal.slot(), record(o)));
  asio::steady_timer t(ctx, soon);
  t.async_wait([&](auf::error_code) { signal.emit(asio::cancellation_type::terminal); });
  ctx.run_for(hang_guard);
  BOOST_TEST(o.done);
  BOOST_TEST((o.ec == asio::error::operation_aborted), o.ec.message());
  BOOST_TEST(o.got_lease);
  BOOST_TEST(pool.available() == pool.size());
}

/// Reads fd, which has no data yet; a timer writes `text` to `writer` later.
void read_data_that_arrives_later(asio::io_context& ctx, auf::fixed_buffer_pool& pool, int fd,
                                  int writer, const std::string& text) {
  outcome o;
  auf::async_read_fixed_at(fd, 0, pool.try_acquire(), record(o));
  ssize_t wrote = -1;
  asio::steady_timer t(ctx, soon);
  t.async_wait([&](auf::error_code) { wrote = ::write(writer, text.data(), text.size()); });
  ctx.run_for(hang_guard);
  BOOST_TEST(wrote == static_cast<ssize_t>(text.size()));
  BOOST_TEST(o.done);
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.data == text);
  BOOST_TEST(pool.available() == pool.size());
}

/// An io_context whose services can be shut down while objects using it
/// (a pool) still exist, as its destructor would do.
struct closable_context : asio::io_context {
  using asio::execution_context::shutdown;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(streams, fixture)

BOOST_AUTO_TEST_CASE(read_from_an_empty_pipe_waits_and_is_cancelled_by_a_timer) {
  pipe_pair p;
  cancel_blocked_read(ctx, pool, p.read_end);
  // The pipe still works after the cancelled read: nothing was consumed.
  BOOST_REQUIRE(::write(p.write_end, "after", 5) == 5);
  char got[8] = {};
  BOOST_TEST(::read(p.read_end, got, sizeof got) == 5);
}

BOOST_AUTO_TEST_CASE(cancel_right_after_the_start_is_never_lost) {
  // The cancellation lands wherever the read is at that moment: queued,
  // being tried, on its way to wait, or waiting. Each must end aborted with
  // its lease back (a lost cancellation leaves the read waiting forever).
  pipe_pair p;
  // Without the portable backend's check at the hand-over to its poller, a
  // read hung here in 3 runs of 6 (it is a race: the test can miss it).
  constexpr int rounds = 10000;
  int aborted = 0, other = 0, stuck_at = -1;
  for (int i = 0; i < rounds; ++i) {
    asio::cancellation_signal signal;
    auf::async_read_fixed_at(
        p.read_end, 0, pool.try_acquire(),
        asio::bind_cancellation_slot(signal.slot(),
                                     [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                                       ++(ec == asio::error::operation_aborted ? aborted : other);
                                     }));
    // Emit 0 to 200 us later, a different moment each round (no time is
    // measured): the read is still queued, being tried, or waiting.
    auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds((i * 7919) % 200000);
    while (std::chrono::steady_clock::now() < until) {
    }
    signal.emit(asio::cancellation_type::terminal);
    ctx.restart();
    ctx.run_for(hang_guard);
    if (aborted + other != i + 1) {
      // A lost cancellation: data ends the read, so the failure is clean.
      stuck_at = i;
      BOOST_REQUIRE(::write(p.write_end, "x", 1) == 1);
      ctx.restart();
      ctx.run_for(hang_guard);
      break;
    }
  }
  BOOST_TEST(stuck_at == -1, "the read of round " << stuck_at << " was not cancelled");
  BOOST_TEST(aborted == rounds);
  BOOST_TEST(other == 0);
  BOOST_TEST(pool.available() == pool.size());
}

BOOST_AUTO_TEST_CASE(read_from_a_pipe_with_data) {
  pipe_pair p;
  BOOST_REQUIRE(::write(p.write_end, "0123456789", 10) == 10);
  outcome o;
  // The offset means nothing on a stream, as with the kernel's read(2).
  auf::async_read_fixed_at(p.read_end, 12345, pool.try_acquire(), record(o));
  ctx.run_for(hang_guard);
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.n == 10u); // a short read: what the pipe holds
  BOOST_TEST(o.data == "0123456789");
}

BOOST_AUTO_TEST_CASE(read_waits_for_data_written_later) {
  pipe_pair p;
  read_data_that_arrives_later(ctx, pool, p.read_end, p.write_end, "late data");
}

BOOST_AUTO_TEST_CASE(read_after_the_writer_closed_is_eof) {
  pipe_pair p;
  ::close(p.write_end);
  p.write_end = -1;
  outcome o;
  auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), record(o));
  ctx.run_for(hang_guard);
  BOOST_TEST(o.done);
  BOOST_TEST((o.ec == asio::error::eof), o.ec.message());
  BOOST_TEST(o.n == 0u);
  BOOST_TEST(o.got_lease);
}

BOOST_AUTO_TEST_CASE(blocked_read_sees_eof_when_the_writer_closes) {
  pipe_pair p;
  outcome o;
  auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), record(o));
  asio::steady_timer t(ctx, soon);
  t.async_wait([&](auf::error_code) {
    ::close(p.write_end);
    p.write_end = -1;
  });
  ctx.run_for(hang_guard);
  BOOST_TEST(o.done);
  BOOST_TEST((o.ec == asio::error::eof), o.ec.message());
  BOOST_TEST(pool.available() == pool.size());
}

BOOST_AUTO_TEST_CASE(nonblocking_pipe_read_waits_instead_of_eagain) {
  // O_NONBLOCK on the descriptor: the operation still waits for data (the
  // kernel's io_uring polls such files too) and can be cancelled.
  pipe_pair p;
  set_nonblocking(p.read_end, true);
  read_data_that_arrives_later(ctx, pool, p.read_end, p.write_end, "nonblocking");
  ctx.restart();
  cancel_blocked_read(ctx, pool, p.read_end);
}

BOOST_AUTO_TEST_CASE(write_to_a_pipe) {
  pipe_pair p;
  auto b = pool.try_acquire();
  std::memcpy(b.data(), "hello pipe", 10);
  b.set_range(0, 10);
  outcome o;
  auf::async_write_fixed_at(p.write_end, 777, std::move(b), record(o));
  ctx.run_for(hang_guard);
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.n == 10u);
  char got[16] = {};
  set_nonblocking(p.read_end, true); // no hang when nothing was written
  BOOST_TEST(::read(p.read_end, got, sizeof got) == 10);
  BOOST_TEST(std::string(got, 10) == "hello pipe");
}

BOOST_AUTO_TEST_CASE(write_to_a_full_pipe_waits_until_it_drains) {
  for (bool nonblocking : {false, true}) {
    BOOST_TEST_CONTEXT((nonblocking ? "O_NONBLOCK" : "blocking") << " write end") {
      pipe_pair p;
      ::fcntl(p.write_end, F_SETPIPE_SZ, static_cast<int>(block)); // best effort: less to fill
      set_nonblocking(p.write_end, true);
      std::size_t filled = 0;
      std::vector<char> junk(block, 'x');
      for (;;) {
        ssize_t n = ::write(p.write_end, junk.data(), junk.size());
        if (n <= 0)
          break;
        filled += static_cast<std::size_t>(n);
      }
      BOOST_REQUIRE(errno == EAGAIN);
      set_nonblocking(p.write_end, nonblocking);
      set_nonblocking(p.read_end, true);

      auto data = pattern(block, 7);
      auto b = pool.try_acquire();
      std::memcpy(b.data(), data.data(), block);
      outcome o;
      auf::async_write_fixed_at(p.write_end, 0, std::move(b), record(o));
      bool drained = false;
      asio::steady_timer t(ctx, soon);
      t.async_wait([&](auf::error_code) {
        // Read exactly the filler: what follows is the operation's.
        for (std::size_t left = filled; left > 0;) {
          ssize_t n = ::read(p.read_end, junk.data(), std::min(left, junk.size()));
          if (n <= 0)
            return;
          left -= static_cast<std::size_t>(n);
        }
        drained = true;
      });
      ctx.restart();
      ctx.run_for(hang_guard);
      BOOST_TEST(drained);
      BOOST_TEST(o.done);
      BOOST_TEST(!o.ec, o.ec.message());
      BOOST_TEST(o.n > 0u);
      BOOST_TEST(o.n <= block); // a short write is a result, not an error
      std::vector<std::byte> out(block);
      ssize_t got = ::read(p.read_end, out.data(), out.size());
      BOOST_TEST(got == static_cast<ssize_t>(o.n));
      if (got > 0)
        BOOST_TEST(same(std::span(out).first(static_cast<std::size_t>(got)),
                        std::span(data).first(static_cast<std::size_t>(got))));
      BOOST_TEST(pool.available() == pool.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(read_all_over_a_pipe_with_data_arriving_in_pieces) {
  pipe_pair p;
  constexpr std::size_t piece = 1000, pieces = 4;
  auto data = pattern(piece * pieces, 11);
  auto b = pool.try_acquire();
  b.set_range(0, piece * pieces);
  outcome o;
  auf::async_read_fixed_all_at(p.read_end, 0, std::move(b), record(o));
  // A chain of timers writes one piece each.
  asio::steady_timer t(ctx);
  std::size_t sent = 0;
  std::function<void()> next = [&] {
    t.expires_after(std::chrono::milliseconds(10));
    t.async_wait([&](auf::error_code) {
      if (::write(p.write_end, data.data() + sent, piece) == static_cast<ssize_t>(piece))
        sent += piece;
      if (sent < data.size() && sent % piece == 0)
        next();
    });
  };
  next();
  ctx.run_for(hang_guard);
  BOOST_TEST(sent == data.size());
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.n == data.size());
  BOOST_TEST((o.data == as_string(data)), "the data read differs from the data written");
  BOOST_TEST(pool.available() == pool.size());
}

BOOST_AUTO_TEST_CASE(write_all_over_a_pipe_read_in_pieces) {
  // More than the pipe holds: the kernel takes it in short writes, which the
  // loop continues while a reader drains the pipe.
  constexpr std::size_t total = 256 * 1024;
  auf::fixed_buffer_pool big(ctx, 1, total);
  pipe_pair p;
  auto data = pattern(total, 13);
  auto b = big.try_acquire();
  std::memcpy(b.data(), data.data(), total);
  outcome o;
  auf::async_write_fixed_all_at(p.write_end, 0, std::move(b), record(o));
  std::vector<std::byte> received;
  std::thread reader([&] {
    std::byte chunk[1000];
    for (;;) {
      ssize_t n = ::read(p.read_end, chunk, sizeof chunk);
      if (n <= 0)
        return; // end of file: the test closed the write end
      received.insert(received.end(), chunk, chunk + n);
    }
  });
  ctx.run_for(hang_guard);
  ::close(p.write_end); // lets the reader finish whatever happened
  p.write_end = -1;
  reader.join();
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.n == total);
  BOOST_TEST(same(received, data));
  BOOST_TEST(big.available() == 1u);
}

BOOST_AUTO_TEST_CASE(copy_step_from_a_pipe_filled_later_to_a_file) {
  // The read waits, then fills the whole range: the linked write follows
  // (on the portable backend it goes back from the poller to a worker).
  scratch sc;
  pipe_pair p;
  auf::file dst(sc.path("dst"), auf::file::read_write | auf::file::create);
  auto data = pattern(block, 17);
  std::size_t copied = 0;
  auf::error_code result;
  auf::async_copy_fixed_at(p.read_end, 0, dst, 0, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
                             result = ec;
                             copied = p.written;
                           });
  ssize_t wrote = -1;
  asio::steady_timer t(ctx, soon);
  // One write of PIPE_BUF bytes or less is atomic: the read sees all of it.
  t.async_wait([&](auf::error_code) { wrote = ::write(p.write_end, data.data(), block); });
  ctx.run_for(hang_guard);
  BOOST_TEST(wrote == static_cast<ssize_t>(block));
  BOOST_TEST(!result, result.message());
  BOOST_TEST(copied == block);
  BOOST_TEST(same(read_file(sc.path("dst")), data));
  BOOST_TEST(pool.available() == pool.size());
}

BOOST_AUTO_TEST_CASE(copy_step_from_pipe_to_pipe) {
  // Both halves are streams; the write goes to a pipe that is full until a
  // timer drains it.
  pipe_pair from, to;
  ::fcntl(to.write_end, F_SETPIPE_SZ, static_cast<int>(block));
  set_nonblocking(to.write_end, true);
  std::vector<char> junk(block, 'x');
  std::size_t filled = 0;
  for (ssize_t n; (n = ::write(to.write_end, junk.data(), junk.size())) > 0;)
    filled += static_cast<std::size_t>(n);
  set_nonblocking(to.write_end, false);
  set_nonblocking(to.read_end, true);
  auto data = pattern(block, 19);
  BOOST_REQUIRE(::write(from.write_end, data.data(), block) == static_cast<ssize_t>(block));
  std::size_t copied = 0;
  auf::error_code result;
  auf::async_copy_fixed_at(from.read_end, 0, to.write_end, 0, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
                             result = ec;
                             copied = p.written;
                           });
  bool drained = false;
  asio::steady_timer t(ctx, soon);
  t.async_wait([&](auf::error_code) {
    for (std::size_t left = filled; left > 0;) {
      ssize_t n = ::read(to.read_end, junk.data(), std::min(left, junk.size()));
      if (n <= 0)
        return;
      left -= static_cast<std::size_t>(n);
    }
    drained = true;
  });
  ctx.run_for(hang_guard);
  BOOST_TEST(drained);
  BOOST_TEST(!result, result.message());
  BOOST_TEST(copied == block);
  std::vector<std::byte> out(block);
  BOOST_TEST(::read(to.read_end, out.data(), out.size()) == static_cast<ssize_t>(block));
  BOOST_TEST(same(out, data));
  BOOST_TEST(pool.available() == pool.size());
}

BOOST_AUTO_TEST_CASE(socketpair_read_write_and_cancel) {
  socket_pair s;
  cancel_blocked_read(ctx, pool, s.a);
  ctx.restart();
  read_data_that_arrives_later(ctx, pool, s.a, s.b, "over a socket");
  ctx.restart();
  auto b = pool.try_acquire();
  std::memcpy(b.data(), "reply", 5);
  b.set_range(0, 5);
  outcome o;
  auf::async_write_fixed_at(s.a, 0, std::move(b), record(o));
  ctx.run_for(hang_guard);
  BOOST_TEST(!o.ec, o.ec.message());
  BOOST_TEST(o.n == 5u);
  char got[8] = {};
  BOOST_TEST(::recv(s.b, got, sizeof got, MSG_DONTWAIT) == 5);
  BOOST_TEST(std::string(got, 5) == "reply");
  ctx.restart();
  ::shutdown(s.b, SHUT_WR);
  outcome eof;
  auf::async_read_fixed_at(s.a, 0, pool.try_acquire(), record(eof));
  ctx.run_for(hang_guard);
  BOOST_TEST((eof.ec == asio::error::eof), eof.ec.message());
}

BOOST_AUTO_TEST_CASE(shutdown_ends_blocked_stream_reads_and_returns_the_leases) {
  pipe_pair p;
  socket_pair s;
  closable_context ctx2;
  auf::fixed_buffer_pool pool2(ctx2, 4, block);
  auto log = std::make_shared<handler_log>();
  auf::async_read_fixed_at(p.read_end, 0, pool2.try_acquire(), logged_handler(log));
  auf::async_read_fixed_at(s.a, 0, pool2.try_acquire(), logged_handler(log));
  ctx2.run_for(soon); // the reads are waiting, not failed
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(pool2.available() == 2u);
  ctx2.shutdown(); // what ~io_context does: must return, not wait for data
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() >= 2);
  BOOST_TEST(pool2.available() == 4u);
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_a_blocked_pipe_read) {
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  {
    test_context ctx2;
    auf::fixed_buffer_pool pool2(ctx2, 2, block);
    auf::async_read_fixed_at(p.read_end, 0, pool2.try_acquire(), logged_handler(log));
    auf::async_read_fixed_all_at(p.read_end, 0, pool2.try_acquire(), logged_handler(log));
    ctx2.run_for(soon);
  } // must not hang
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() >= 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(portable_backend_errors)

BOOST_AUTO_TEST_CASE(eventfd_failure_throws_boost_system_error) {
  // The documented exception type is auf::system_error (the
  // library's system_error): catch exactly that, with the errno.
  {
    // UndefinedBehaviorSanitizer checks a dynamic type it has not seen yet by
    // probing memory through a pipe(), which fails at the lowered limit and
    // is then reported as an invalid vptr. The same construction and a throw
    // of the same type first, with descriptors to spare, let it see them.
    test_context warm;
    auf::service_options opts;
    opts.backend = auf::backend_preference::portable;
    auf::uring_service::install(warm, opts);
    try {
      throw auf::system_error(auf::error_code(EMFILE, auf::system_category()), "warm");
    } catch (const auf::system_error& e) {
      BOOST_TEST(e.code().value() == EMFILE);
      BOOST_TEST(std::string(e.what()).find("warm") != std::string::npos);
    }
  }
  test_context ctx;
  rlimit old{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC); // the lowest free descriptor
  BOOST_REQUIRE(probe >= 0);
  ::close(probe);
  struct restore_limit {
    rlimit saved;
    ~restore_limit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
  } restore{old};
  rlimit lowered = old;
  lowered.rlim_cur = static_cast<rlim_t>(probe); // the next descriptor is refused
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  auf::service_options opts;
  opts.backend = auf::backend_preference::portable;
  bool caught = false;
  int code = 0;
  std::string what;
  try {
    auf::uring_service::install(ctx, opts);
  } catch (const auf::system_error& e) {
    caught = true;
    code = e.code().value();
    what = e.what();
  }
  ::setrlimit(RLIMIT_NOFILE, &old);
  BOOST_TEST(caught);
  BOOST_TEST(code == EMFILE, what);
}

BOOST_AUTO_TEST_SUITE_END()

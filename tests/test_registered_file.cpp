// registered_file: reads and writes through a registered-file slot
// (IOSQE_FIXED_FILE), the fallbacks to the plain descriptor, and the slot's
// lifetime with operations in flight (close, cancellation, shutdown).
#include "support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <span>
#include <thread>

using namespace test;

namespace {

auf::service_options slots(unsigned n) {
  auf::service_options o;
  o.registered_file_slots = n;
  return o;
}

/// Precondition: the private ring has a registered-file table.
boost::test_tools::assertion_result needs_file_table(boost::unit_test::test_unit_id id) {
  auto r = needs_private_ring(id);
  if (!r)
    return r;
  test_context ctx;
  auto& s = asio::use_service<auf::uring_service>(ctx);
  if (s.file_table_size() == 0) {
    r = false;
    r.message() << "the ring has no registered-file table: " << s.file_table_error().message();
  }
  return r;
}

bool expect_registered(auf::uring_service& s) {
  return s.backend() == auf::backend_kind::io_uring && !ASIO_URING_FIXED_HAS_ASIO_RING &&
         s.file_table_size() > 0;
}

/// Reads 4 KiB at offset into a lease of pool, runs ctx, returns what came.
struct read_result {
  auf::error_code ec;
  std::vector<std::byte> bytes;
};

template <typename File>
read_result read_at(test_context& ctx, auf::fixed_buffer_pool& pool, File& f, std::uint64_t off) {
  read_result r;
  auf::async_read_fixed_at(f, off, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                             r.ec = ec;
                             r.bytes.assign(b.data(), b.data() + n);
                           });
  ctx.run_for(std::chrono::seconds(20));
  ctx.restart();
  return r;
}

/// True when nothing holds the read end of the pipe open any more (the
/// write end reports POLLERR), waiting up to 10 s for the kernel to drop
/// references it frees asynchronously.
bool readers_gone(int write_end) {
  pollfd pfd{write_end, POLLOUT, 0};
  for (int i = 0; i < 100; ++i) {
    if (::poll(&pfd, 1, 100) == 1 && (pfd.revents & POLLERR))
      return true;
  }
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(registered_file)

BOOST_AUTO_TEST_CASE(reads_and_writes) {
  scratch sc;
  auto data = pattern(8 * 4096, 5);
  write_file(sc.path("f"), data);
  test_context ctx;
  auto& s = asio::use_service<auf::uring_service>(ctx);
  auf::fixed_buffer_pool pool(ctx, 2, 4096);
  auf::registered_file rf(ctx, auf::file(sc.path("f"), auf::file::read_write));
  BOOST_TEST(rf.is_open());
  BOOST_TEST(rf.is_registered() == expect_registered(s));
  BOOST_TEST(!rf.registration_error() == rf.is_registered());
  BOOST_TEST(rf.get().size() == data.size());
  for (std::uint64_t i = 0; i < 8; ++i) {
    auto r = read_at(ctx, pool, rf, i * 4096);
    BOOST_TEST(!r.ec);
    BOOST_TEST(same(r.bytes, std::span(data).subspan(i * 4096, 4096)));
  }
  // Write a new pattern into block 3 with the _all form, read it back.
  auto fresh = pattern(4096, 99);
  auto lease = pool.try_acquire();
  std::memcpy(lease.data(), fresh.data(), fresh.size());
  auf::error_code wec;
  std::size_t wn = 0;
  auf::async_write_fixed_all_at(rf, 3 * 4096, std::move(lease),
                                [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                  wec = ec;
                                  wn = n;
                                });
  ctx.run_for(std::chrono::seconds(20));
  ctx.restart();
  BOOST_TEST(!wec);
  BOOST_TEST(wn == 4096u);
  auto on_disk = read_file(sc.path("f"));
  BOOST_TEST(same(std::span(on_disk).subspan(3 * 4096, 4096), fresh));
  auto r = read_at(ctx, pool, rf, 3 * 4096);
  BOOST_TEST(same(r.bytes, fresh));
}

BOOST_AUTO_TEST_CASE(requests_name_the_slot_not_the_descriptor_number,
                     *boost::unit_test::precondition(needs_file_table)) {
  // Once registered, the descriptor number is made to point at another file
  // (dup2): a read through the slot still reads the registered file, a read
  // through the number reads the other one.
  scratch sc;
  auto a = pattern(4096, 1), b = pattern(4096, 2);
  write_file(sc.path("a"), a);
  write_file(sc.path("b"), b);
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::registered_file rf(ctx, auf::file(sc.path("a"), auf::file::read_only));
  BOOST_TEST_REQUIRE(rf.is_registered());
  auf::file other(sc.path("b"), auf::file::read_only);
  BOOST_TEST_REQUIRE(::dup2(other.native_handle(), rf.native_handle()) == rf.native_handle());
  int number = rf.native_handle();
  BOOST_TEST(same(read_at(ctx, pool, rf, 0).bytes, a));
  BOOST_TEST(same(read_at(ctx, pool, number, 0).bytes, b));
}

BOOST_AUTO_TEST_CASE(fallback_without_a_table) {
  scratch sc;
  auto data = pattern(4096, 6);
  write_file(sc.path("f"), data);
  test_context ctx;
  auto& s = auf::uring_service::install(ctx, slots(0));
  BOOST_TEST(s.file_table_size() == 0u);
  BOOST_TEST(!!s.file_table_error());
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::registered_file rf(ctx, auf::file(sc.path("f"), auf::file::read_only));
  BOOST_TEST(!rf.is_registered());
  BOOST_TEST(rf.slot() == -1);
  BOOST_TEST(!!rf.registration_error());
  auto r = read_at(ctx, pool, rf, 0);
  BOOST_TEST(!r.ec);
  BOOST_TEST(same(r.bytes, data));
}

BOOST_AUTO_TEST_CASE(table_full_falls_back, *boost::unit_test::precondition(needs_file_table)) {
  scratch sc;
  auto data = pattern(4096, 8);
  write_file(sc.path("f"), data);
  test_context ctx;
  auf::uring_service::install(ctx, slots(1));
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::registered_file one(ctx, auf::file(sc.path("f"), auf::file::read_only));
  auf::registered_file two(ctx, auf::file(sc.path("f"), auf::file::read_only));
  BOOST_TEST(one.is_registered());
  BOOST_TEST(!two.is_registered());
  BOOST_TEST(two.registration_error() == auf::make_error_code(auf::errc::no_free_slots));
  BOOST_TEST(same(read_at(ctx, pool, two, 0).bytes, data));
  one.close();
  auf::registered_file three(ctx, auf::file(sc.path("f"), auf::file::read_only));
  BOOST_TEST(three.is_registered()); // the slot came back
}

BOOST_AUTO_TEST_CASE(another_context_uses_the_descriptor) {
  scratch sc;
  auto data = pattern(4096, 9);
  write_file(sc.path("f"), data);
  test_context ctx1, ctx2;
  auf::fixed_buffer_pool pool2(ctx2, 1, 4096);
  auf::registered_file rf(ctx1, auf::file(sc.path("f"), auf::file::read_only));
  auto r = read_at(ctx2, pool2, rf, 0); // pool2 belongs to ctx2: plain descriptor
  BOOST_TEST(!r.ec);
  BOOST_TEST(same(r.bytes, data));
}

BOOST_AUTO_TEST_CASE(close_with_a_read_in_flight_keeps_the_slot_reserved) {
  // A table of one slot: closing the registered_file while its read waits
  // must not free the slot (a new file would get it and the read could reach
  // the new file); it comes back once the read is gone.
  pipe_pair p;
  int read_end = ::dup(p.read_end);
  test_context ctx;
  auto& s = auf::uring_service::install(ctx, slots(1));
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::registered_file rf(ctx, auf::file(read_end));
  bool registered = rf.is_registered();
  BOOST_TEST(registered == expect_registered(s));
  read_result r;
  auf::async_read_fixed_at(rf, 0, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                             r.ec = ec;
                             r.bytes.assign(b.data(), b.data() + n);
                           });
  ctx.poll();
  rf.close();
  BOOST_TEST(!rf.is_open());
  scratch sc;
  write_file(sc.path("f"), pattern(16, 1));
  {
    auf::registered_file other(ctx, auf::file(sc.path("f"), auf::file::read_only));
    BOOST_TEST(!other.is_registered()); // the read still holds the only slot
    if (registered)
      BOOST_TEST(other.registration_error() == auf::make_error_code(auf::errc::no_free_slots));
  }
  // The descriptor is still open for the read: it gets the data.
  BOOST_TEST(::write(p.write_end, "hello", 5) == 5);
  ctx.run_for(std::chrono::seconds(20));
  ctx.restart();
  BOOST_TEST(!r.ec);
  BOOST_TEST(r.bytes.size() == 5u);
  auf::registered_file again(ctx, auf::file(sc.path("f"), auf::file::read_only));
  BOOST_TEST(again.is_registered() == registered);
}

BOOST_AUTO_TEST_CASE(releasing_the_slot_drops_the_file) {
  // After close(), neither the descriptor nor the table keeps the pipe's
  // read end open: its write end sees POLLERR.
  int fds[2];
  BOOST_TEST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  {
    test_context ctx;
    auf::registered_file rf(ctx, auf::file(fds[0]));
    rf.close();
    BOOST_TEST(readers_gone(fds[1]));
  }
  ::close(fds[1]);
}

BOOST_AUTO_TEST_CASE(cancellation_with_a_read_in_flight) {
  pipe_pair p;
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::registered_file rf(ctx, auf::file(::dup(p.read_end)));
  asio::cancellation_signal signal;
  auf::error_code result;
  bool called = false;
  auf::async_read_fixed_at(
      rf, 0, pool.try_acquire(),
      asio::bind_cancellation_slot(signal.slot(),
                                   [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                                     result = ec;
                                     called = true;
                                   }));
  ctx.poll();
  rf.close();
  signal.emit(asio::cancellation_type::terminal);
  ctx.run_for(std::chrono::seconds(20));
  BOOST_TEST(called);
  BOOST_TEST(result == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(shutdown_with_reads_in_flight_and_the_file_outliving_the_context) {
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  auf::registered_file rf;
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 4, 4096);
    rf = auf::registered_file(ctx, auf::file(::dup(p.read_end)));
    for (int i = 0; i < 4; ++i)
      auf::async_read_fixed_at(rf, 0, pool.try_acquire(), logged_handler(log));
    ctx.poll();
  }
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() >= 4);
  BOOST_TEST(rf.is_open());
  rf.close(); // its engine is gone: nothing to release
}

BOOST_AUTO_TEST_CASE(single_issuer_ring_forwarding_with_registered_files) {
  // The io_context runs on one thread of a single-issuer ring; the file is
  // registered before it runs (allowed), a second one from this thread after
  // it ran (refused by the kernel: falls back to the descriptor); reads on
  // both are started from this thread and forwarded.
  scratch sc;
  auto data = pattern(16 * 4096, 12);
  write_file(sc.path("f"), data);
  test_context ctx;
  auf::service_options o;
  o.single_issuer = true;
  auto& s = auf::uring_service::install(ctx, o);
  auf::fixed_buffer_pool pool(ctx, 33, 4096); // the first read's lease may come back late
  auf::registered_file before(ctx, auf::file(sc.path("f"), auf::file::read_only));
  BOOST_TEST(before.is_registered() == expect_registered(s));
  auto guard = asio::make_work_guard(ctx);
  std::thread runner([&] { ctx.run(); });
  // Make sure the run() thread has taken the ring.
  std::promise<void> ran;
  asio::post(ctx, [&] { ran.set_value(); });
  ran.get_future().wait();
  std::promise<void> first_read;
  auf::async_read_fixed_at(
      before, 0, pool.try_acquire(),
      [&](auf::error_code, std::size_t, auf::fixed_buffer) { first_read.set_value(); });
  first_read.get_future().wait();
  auf::registered_file after(ctx, auf::file(sc.path("f"), auf::file::read_only));
  if (s.single_issuer())
    BOOST_TEST(after.registration_error() == auf::error_code(EEXIST, auf::system_category()));
  std::atomic<int> good{0}, bad{0};
  std::promise<void> done;
  std::atomic<int> left{32};
  for (int i = 0; i < 32; ++i) {
    auf::registered_file& f = i % 2 ? before : after;
    std::uint64_t block = static_cast<std::uint64_t>(i % 16);
    auf::async_read_fixed_at(
        f, block * 4096, pool.try_acquire(),
        [&, block](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
          if (!ec && same(b.span().first(n), std::span(data).subspan(block * 4096, 4096)))
            ++good;
          else
            ++bad;
          if (--left == 0)
            done.set_value();
        });
  }
  bool finished = done.get_future().wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  guard.reset();
  runner.join();
  BOOST_TEST(finished);
  BOOST_TEST(good.load() == 32);
  BOOST_TEST(bad.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

#include "support.hpp"

#include <fcntl.h>

#include <limits>
#include <thread>

using namespace test;

namespace {

constexpr std::size_t block = 4096;

#if defined(ASIO_URING_FIXED_TEST_ASIO_RINGS)
#define ASIO_URING_FIXED_TEST_STR2(x) #x
#define ASIO_URING_FIXED_TEST_STR(x) ASIO_URING_FIXED_TEST_STR2(x)
/// Asio 1.38.2 and later: the context runs this many io_uring rings.
asio::config_from_string asio_rings_config() {
  return asio::config_from_string(
      "reactor.io_uring_ring_count=" ASIO_URING_FIXED_TEST_STR(ASIO_URING_FIXED_TEST_ASIO_RINGS));
}
#endif

struct fixture {
  scratch s;
  std::vector<std::byte> data = pattern(16 * block + 100, 3);
#if defined(ASIO_URING_FIXED_TEST_ASIO_RINGS)
  asio::io_context ctx{asio_rings_config()};
#else
  test_context ctx;
#endif
  auf::fixed_buffer_pool pool{ctx, 16, block};
  fs::path path = s.path("data");
  fixture() {
    write_file(path, data);
  }
  std::span<const std::byte> expect(std::size_t offset, std::size_t n) const {
    return std::span(data).subspan(offset, n);
  }
};

/// Counts allocations made through it, to prove bind_allocator is honoured.
template <typename T>
struct counting_allocator {
  using value_type = T;
  int* count;
  explicit counting_allocator(int* c) : count(c) {}
  template <typename U>
  counting_allocator(const counting_allocator<U>& o) : count(o.count) {}
  T* allocate(std::size_t n) {
    ++*count;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <typename U>
  bool operator==(const counting_allocator<U>& o) const {
    return count == o.count;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(read_write_fixed, fixture)

#if defined(ASIO_URING_FIXED_TEST_ASIO_RINGS)
// The whole suite runs inside a context with several Asio rings: check that
// Asio really set them up (each is an io_uring file descriptor), besides the
// library's own ring.
BOOST_AUTO_TEST_CASE(context_has_several_asio_rings) {
  BOOST_TEST(asio::config(ctx).get("reactor", "io_uring_ring_count", 1) ==
             ASIO_URING_FIXED_TEST_ASIO_RINGS);
  int rings = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (fs::read_symlink(entry.path(), ec).string() == "anon_inode:[io_uring]")
      ++rings;
  }
  int own = asio::use_service<auf::uring_service>(ctx).backend() == auf::backend_kind::io_uring;
  BOOST_TEST(rings >= ASIO_URING_FIXED_TEST_ASIO_RINGS + own);
}
#endif

BOOST_AUTO_TEST_CASE(write_then_read_with_callbacks) {
  auf::file f(s.path("out"), auf::file::read_write | auf::file::create);
  auf::fixed_buffer b = pool.try_acquire();
  auto src = pattern(block, 9);
  std::memcpy(b.data(), src.data(), block);
  std::size_t written = 0, read = 0;
  auf::async_write_fixed_at(
      f, 3 * block, std::move(b), [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
        BOOST_TEST(!ec);
        written = n;
        std::memset(b.data(), 0, b.size());
        auf::async_read_fixed_at(f, 3 * block, std::move(b),
                                 [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                                   BOOST_TEST(!ec);
                                   read = n;
                                   BOOST_TEST(same(b.span(), src));
                                 });
      });
  ctx.run();
  BOOST_TEST(written == block);
  BOOST_TEST(read == block);
  BOOST_TEST(f.size() == 4 * block);
  BOOST_TEST(pool.available() == 16u);
}

BOOST_AUTO_TEST_CASE(move_only_callback_and_sub_range) {
  auf::file f(path, auf::file::read_only);
  auf::fixed_buffer b = pool.try_acquire();
  b.set_range(10, 300);
  auto token = std::make_unique<int>(42);
  bool ok = false;
  auf::async_read_fixed_at(
      f, 1000, std::move(b),
      [&, t = std::move(token)](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
        ok = !ec && n == 300 && *t == 42 && b.offset() == 10 && b.size() == 300 &&
             same(b.span(), expect(1000, 300));
      });
  ctx.run();
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(use_future_token) {
  auf::file f(path, auf::file::read_only);
  std::thread runner;
  auto guard = asio::make_work_guard(ctx);
  runner = std::thread([&] { ctx.run(); });
  auto fut = auf::async_read_fixed_at(f, block, pool.try_acquire(), asio::use_future);
  auto [n, b] = fut.get();
  BOOST_TEST(n == block);
  BOOST_TEST(same(b.span(), expect(block, block)));
  // Errors arrive as exceptions carrying the errno.
  auto bad = auf::async_read_fixed_at(-1, 0, pool.try_acquire(), asio::use_future);
  try {
    bad.get();
    BOOST_FAIL("expected EBADF");
  } catch (const auf::system_error& e) {
    BOOST_TEST(e.code().value() == EBADF);
  }
  guard.reset();
  runner.join();
}

BOOST_AUTO_TEST_CASE(use_awaitable_and_as_tuple) {
  auf::file f(path, auf::file::read_only);
  bool ok = false;
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        auto [n, b] = co_await auf::async_read_fixed_at(f, 2 * block, pool.try_acquire(),
                                                        asio::use_awaitable);
        BOOST_TEST(n == block);
        BOOST_TEST(same(b.span(), expect(2 * block, block)));
        // as_tuple keeps the lease on error, instead of throwing it away.
        auto [ec, n2, b2] = co_await auf::async_read_fixed_at(f, data.size(), std::move(b),
                                                              asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == asio::error::eof));
        BOOST_TEST(n2 == 0u);
        BOOST_TEST(!!b2);
        ok = true;
      },
      asio::detached);
  ctx.run();
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(deferred_token) {
  auf::file f(path, auf::file::read_only);
  auto op = auf::async_read_fixed_at(f, 0, pool.try_acquire(), asio::deferred);
  BOOST_TEST(pool.available() == 15u); // the lease moved into the deferred op
  ctx.run();                           // nothing started yet
  bool ok = false;
  std::move(op)([&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
    ok = !ec && n == block && same(b.span(), expect(0, block));
  });
  ctx.restart();
  ctx.run();
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(bind_executor_and_bind_allocator) {
  auf::file f(path, auf::file::read_only);
  auto strand = asio::make_strand(ctx);
  int allocations = 0;
  bool in_strand = false, ok = false;
  auf::async_read_fixed_at(
      f, 0, pool.try_acquire(),
      asio::bind_executor(
          strand, asio::bind_allocator(counting_allocator<void>(&allocations),
                                       [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                         in_strand = strand.running_in_this_thread();
                                         ok = !ec && n == block;
                                       })));
  BOOST_TEST(allocations >= 1); // the operation's memory came from our allocator
  ctx.run();
  BOOST_TEST(in_strand);
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(eof_and_short_reads) {
  auf::file f(path, auf::file::read_only);
  std::size_t short_n = 0;
  auf::error_code short_ec, eof_ec;
  // Straddles the end: short, no error.
  auf::async_read_fixed_at(f, 16 * block, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                             short_ec = ec;
                             short_n = n;
                             BOOST_TEST(same(b.span().first(n), expect(16 * block, 100)));
                           });
  // At the end: eof, as Asio's read_some_at.
  auf::async_read_fixed_at(
      f, data.size(), pool.try_acquire(),
      [&](auf::error_code ec, std::size_t, auf::fixed_buffer) { eof_ec = ec; });
  ctx.run();
  BOOST_TEST(!short_ec);
  BOOST_TEST(short_n == 100u);
  BOOST_TEST((eof_ec == asio::error::eof));
}

BOOST_AUTO_TEST_CASE(read_all_and_write_all) {
  auf::file f(path, auf::file::read_only);
  auf::file out(s.path("copy"), auf::file::write_only | auf::file::create | auf::file::truncate);
  auf::fixed_buffer big;
  auf::fixed_buffer_pool big_pool(ctx, 1, data.size() + 4096);
  std::size_t total = 0, total_w = 0;
  auf::error_code ec_r, ec_w;
  auf::async_read_fixed_all_at(
      f, 0, big_pool.try_acquire(), [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
        // The whole buffer was asked for; the file is shorter: eof with n.
        ec_r = ec;
        total = n;
        BOOST_TEST(b.size() == data.size() + 4096);
        b.set_range(0, n);
        auf::async_write_fixed_all_at(out, 0, std::move(b),
                                      [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                        ec_w = ec;
                                        total_w = n;
                                      });
      });
  ctx.run();
  BOOST_TEST((ec_r == asio::error::eof));
  BOOST_TEST(total == data.size());
  BOOST_TEST(!ec_w);
  BOOST_TEST(total_w == data.size());
  BOOST_TEST(same(read_file(s.path("copy")), data));
}

BOOST_AUTO_TEST_CASE(read_all_exact) {
  auf::file f(path, auf::file::read_only);
  auf::fixed_buffer b = pool.try_acquire();
  b.set_range(96, 4000);
  bool ok = false;
  auf::async_read_fixed_all_at(f, 5, std::move(b),
                               [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                                 ok = !ec && n == 4000 && b.offset() == 96 && b.size() == 4000 &&
                                      same(b.span(), expect(5, 4000));
                               });
  ctx.run();
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(many_in_flight_on_one_file) {
  auf::file f(path, auf::file::read_only);
  auto& service = asio::use_service<auf::uring_service>(ctx);
  int good = 0;
  for (std::size_t i = 0; i < 16; ++i)
    auf::async_read_fixed_at(f, i * block, pool.try_acquire(),
                             [&, i](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                               good +=
                                   !ec && n == block && same(b.span(), expect(i * block, block));
                             });
  // All sixteen are with the backend at once: nothing serialises them.
  BOOST_TEST(service.outstanding() == 16u);
  ctx.run();
  BOOST_TEST(good == 16);
  BOOST_TEST(service.outstanding() == 0u);
}

BOOST_AUTO_TEST_CASE(parallel_group_of_reads) {
  auf::file f(path, auf::file::read_only);
  bool ok = false;
  asio::experimental::make_parallel_group(
      auf::async_read_fixed_at(f, 0, pool.try_acquire(), asio::deferred),
      auf::async_read_fixed_at(f, block, pool.try_acquire(), asio::deferred))
      .async_wait(asio::experimental::wait_for_all(),
                  [&](std::array<std::size_t, 2>, auf::error_code e1, std::size_t n1,
                      auf::fixed_buffer b1, auf::error_code e2, std::size_t n2,
                      auf::fixed_buffer b2) {
                    ok = !e1 && !e2 && n1 == block && n2 == block &&
                         same(b1.span(), expect(0, block)) && same(b2.span(), expect(block, block));
                  });
  ctx.run();
  BOOST_TEST(ok);
}

BOOST_AUTO_TEST_CASE(cancel_a_blocked_read) {
  pipe_pair p;
  asio::cancellation_signal signal;
  auf::error_code result;
  bool got_lease = false;
  auf::async_read_fixed_at(
      p.read_end, 0, pool.try_acquire(),
      asio::bind_cancellation_slot(signal.slot(),
                                   [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
                                     result = ec;
                                     got_lease = !!b;
                                   }));
  asio::steady_timer t(ctx, std::chrono::milliseconds(50));
  t.async_wait([&](auf::error_code) { signal.emit(asio::cancellation_type::terminal); });
  ctx.run();
  BOOST_TEST((result == asio::error::operation_aborted));
  BOOST_TEST(got_lease);
  BOOST_TEST(pool.available() == 16u);
}

BOOST_AUTO_TEST_CASE(timeout_through_parallel_group) {
  pipe_pair p;
  asio::steady_timer timer(ctx, std::chrono::milliseconds(50));
  std::size_t winner = 99;
  auf::error_code read_ec;
  asio::experimental::make_parallel_group(
      auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), asio::deferred),
      timer.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
                  [&](std::array<std::size_t, 2> order, auf::error_code ec, std::size_t,
                      auf::fixed_buffer, auf::error_code) {
                    winner = order[0];
                    read_ec = ec;
                  });
  ctx.run();
  BOOST_TEST(winner == 1u); // the timer
  BOOST_TEST((read_ec == asio::error::operation_aborted));
  BOOST_TEST(pool.available() == 16u);
}

BOOST_AUTO_TEST_CASE(cancellation_never_loses_leases) {
  // Cancel a burst of reads right after starting them: each completes
  // either normally or with operation_aborted, and every lease comes back.
  auf::file f(path, auf::file::read_only);
  std::vector<asio::cancellation_signal> signals(16);
  int completed = 0, aborted = 0, other = 0;
  for (std::size_t i = 0; i < 16; ++i)
    auf::async_read_fixed_at(
        f, i * block, pool.try_acquire(),
        asio::bind_cancellation_slot(
            signals[i].slot(), [&, i](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
              if (!ec && n == block && same(b.span(), expect(i * block, block)))
                ++completed;
              else if (ec == asio::error::operation_aborted)
                ++aborted;
              else
                ++other;
            }));
  for (auto& s : signals)
    s.emit(asio::cancellation_type::total);
  ctx.run();
  BOOST_TEST(completed + aborted == 16);
  BOOST_TEST(other == 0);
  BOOST_TEST(pool.available() == 16u);
}

BOOST_AUTO_TEST_CASE(kernel_errors_carry_errno) {
  auf::file ro(path, auf::file::read_only);
  auf::error_code badf, write_ro;
  auf::async_read_fixed_at(-1, 0, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t, auf::fixed_buffer) { badf = ec; });
  auf::async_write_fixed_at(
      ro, 0, pool.try_acquire(),
      [&](auf::error_code ec, std::size_t, auf::fixed_buffer) { write_ro = ec; });
  ctx.run();
  BOOST_TEST(badf.value() == EBADF);
  BOOST_TEST((badf.category() == auf::system_category()));
  BOOST_TEST(write_ro.value() == EBADF);
}

// Defect 9 of the hardening issue: an empty lease used to complete on the
// system executor, on a foreign thread, racing single-threaded programs.
BOOST_AUTO_TEST_CASE(empty_lease_from_pool_completes_on_its_io_context) {
  auf::file f(path, auf::file::read_only);
  std::vector<auf::fixed_buffer> all;
  while (auto b = pool.try_acquire())
    all.push_back(std::move(b));
  auf::fixed_buffer none = pool.try_acquire(); // the pool is exhausted
  BOOST_TEST(!none);
  BOOST_TEST(none.from_pool());
  auf::error_code got;
  bool called = false;
  std::thread::id where;
  auf::async_read_fixed_at(f, 0, std::move(none),
                           [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                             called = true;
                             got = ec;
                             where = std::this_thread::get_id();
                           });
  BOOST_TEST(!called); // never inside the initiating call
  ctx.run();
  BOOST_TEST(called);
  BOOST_TEST(where == std::this_thread::get_id()); // on the thread running ctx
  BOOST_TEST((got == auf::errc::empty_buffer));
}

BOOST_AUTO_TEST_CASE(moved_from_lease_completes_on_its_io_context) {
  auf::file f(path, auf::file::read_only);
  auf::fixed_buffer b = pool.try_acquire();
  auf::fixed_buffer taken = std::move(b);
  auf::error_code got;
  bool called = false;
  auf::async_write_fixed_all_at(f, 0, std::move(b),
                                [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                                  called = true;
                                  got = ec;
                                });
  BOOST_TEST(!called);
  ctx.run();
  BOOST_TEST(called);
  BOOST_TEST((got == auf::errc::empty_buffer));
}

BOOST_AUTO_TEST_CASE(empty_lease_uses_the_handlers_executor) {
  auf::file f(path, auf::file::read_only);
  test_context other;
  bool called = false;
  auf::async_read_fixed_at(
      f, 0, auf::fixed_buffer(),
      asio::bind_executor(other, [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
        called = true;
        BOOST_TEST((ec == auf::errc::empty_buffer));
      }));
  ctx.run();
  BOOST_TEST(!called);
  other.run();
  BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(empty_lease_uses_the_files_executor) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  asio::posix::stream_descriptor d(ctx, fd);
  bool called = false;
  auf::async_read_fixed_at(d, 0, auf::fixed_buffer(),
                           [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                             called = true;
                             BOOST_TEST((ec == auf::errc::empty_buffer));
                           });
  BOOST_TEST(!called);
  ctx.run();
  BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(empty_lease_with_no_executor_anywhere_throws) {
  auf::file f(path, auf::file::read_only);
  bool called = false;
  try {
    auf::async_read_fixed_at(
        f, 0, auf::fixed_buffer(),
        [&](auf::error_code, std::size_t, auf::fixed_buffer) { called = true; });
    BOOST_FAIL("no exception");
  } catch (const auf::system_error& e) {
    BOOST_TEST((e.code() == auf::errc::empty_buffer));
    BOOST_TEST(std::string(e.what()).find("bind_executor") != std::string::npos);
  }
  ctx.run();
  BOOST_TEST(!called);
}

// Defect 6: offsets above INT64_MAX were taken by io_uring as "the current
// file position" (-1) and read there; the portable backend said EINVAL.
BOOST_AUTO_TEST_CASE(offsets_beyond_int64_max_are_refused) {
  auf::file f(path, auf::file::read_write);
  const std::uint64_t bad[] = {std::numeric_limits<std::uint64_t>::max(), std::uint64_t{1} << 63,
                               std::uint64_t(std::numeric_limits<std::int64_t>::max()) - 10};
  int results = 0;
  for (std::uint64_t at : bad) {
    auto check = [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
      BOOST_TEST((ec == auf::errc::invalid_offset));
      BOOST_TEST(n == 0u);
      BOOST_TEST(bool(b)); // the lease comes back
      ++results;
    };
    auf::async_read_fixed_at(f, at, pool.try_acquire(), check);
    auf::async_write_fixed_at(f, at, pool.try_acquire(), check);
    auf::async_read_fixed_all_at(f, at, pool.try_acquire(), check);
    auf::async_write_fixed_all_at(f, at, pool.try_acquire(), check);
  }
  ctx.run();
  BOOST_TEST(results == 12);
  BOOST_TEST(auf::file(path, auf::file::read_only).size() == data.size()); // nothing written
  BOOST_TEST(same(read_file(path), data));
  BOOST_TEST(pool.available() == pool.size());
}

// Defect 10: a lease of another io_context's pool used to wait silently for
// that context to run.
BOOST_AUTO_TEST_CASE(lease_of_another_context_is_refused) {
  test_context other;
  auf::fixed_buffer_pool other_pool(other, 2, block);
  auf::file f(path, auf::file::read_only);
  auf::error_code got;
  bool lease_back = false;
  auf::async_read_fixed_at(
      f, 0, other_pool.try_acquire(),
      asio::bind_executor(ctx, [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
        got = ec;
        lease_back = bool(b);
      }));
  ctx.run();
  BOOST_TEST((got == auf::errc::wrong_context));
  BOOST_TEST(lease_back);
  BOOST_TEST(other_pool.available() == 2u);
  // Bound to the lease's own context (through a strand): runs normally.
  auto strand = asio::make_strand(other);
  std::size_t n = 0;
  auf::async_read_fixed_at(
      f, 0, other_pool.try_acquire(),
      asio::bind_executor(strand, [&](auf::error_code ec, std::size_t k, auf::fixed_buffer) {
        BOOST_TEST(!ec);
        n = k;
      }));
  other.run();
  BOOST_TEST(n == block);
}

BOOST_AUTO_TEST_CASE(direct_io_aligned_and_misaligned,
                     *boost::unit_test::precondition(needs_direct_io)) {
  auf::file f(s.path("direct"), auf::file::read_write | auf::file::create | auf::file::direct);
  std::size_t align = f.direct_alignment();
  BOOST_TEST_MESSAGE("O_DIRECT alignment " << align);
  BOOST_REQUIRE(align > 0u);
  auf::fixed_buffer b = pool.try_acquire();
  auto src = pattern(block, 11);
  std::memcpy(b.data(), src.data(), block);
  auf::error_code ec_w, ec_r, ec_bad;
  std::size_t n_r = 0;
  auf::async_write_fixed_at(
      f, 0, std::move(b), [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
        ec_w = ec;
        std::memset(b.data(), 0, b.size());
        auf::async_read_fixed_at(
            f, 0, std::move(b), [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
              ec_r = ec;
              n_r = n;
              BOOST_TEST(same(b.span(), src));
              // Now that the file has data: a misaligned address and length.
              b.set_range(1, block - 1);
              auf::async_read_fixed_at(
                  f, 0, std::move(b),
                  [&](auf::error_code ec, std::size_t, auf::fixed_buffer) { ec_bad = ec; });
            });
      });
  ctx.run();
  BOOST_TEST(!ec_w);
  BOOST_TEST(!ec_r);
  BOOST_TEST(n_r == block);
  BOOST_TEST(ec_bad.value() == EINVAL);
}

BOOST_AUTO_TEST_SUITE_END()

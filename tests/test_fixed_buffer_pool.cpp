#include "support.hpp"

#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

using namespace test;

BOOST_AUTO_TEST_SUITE(fixed_buffer_pool)

BOOST_AUTO_TEST_CASE(try_acquire_until_empty_and_back) {
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 4, 10000);
  BOOST_TEST(pool.size() == 4u);
  BOOST_TEST(pool.buffer_size() == 10000u);
  std::vector<auf::fixed_buffer> leases;
  std::set<std::byte*> addresses;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  for (int i = 0; i < 4; ++i) {
    leases.push_back(pool.try_acquire());
    BOOST_REQUIRE(leases.back());
    BOOST_TEST(leases.back().size() == 10000u);
    BOOST_TEST(leases.back().capacity() == 10000u);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(leases.back().data()) % page == 0u);
    addresses.insert(leases.back().data());
  }
  BOOST_TEST(addresses.size() == 4u);
  BOOST_TEST(pool.available() == 0u);
  BOOST_TEST(!pool.try_acquire());
  leases.pop_back();
  BOOST_TEST(pool.available() == 1u);
  leases.clear();
  BOOST_TEST(pool.available() == 4u);
}

BOOST_AUTO_TEST_CASE(lease_is_move_only_and_ranges_are_checked) {
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 2, 8192);
  auf::fixed_buffer a = pool.try_acquire();
  std::byte* p = a.data();
  auf::fixed_buffer b = std::move(a);
  BOOST_TEST(!a);
  BOOST_TEST(a.size() == 0u);
  BOOST_TEST(b.data() == p);
  b.set_range(100, 200);
  BOOST_TEST(b.data() == p + 100);
  BOOST_TEST(b.size() == 200u);
  BOOST_TEST(b.offset() == 100u);
  BOOST_TEST(b.buffer().size() == 200u);
  BOOST_CHECK_THROW(b.set_range(8000, 200), std::out_of_range);
  BOOST_CHECK_THROW(b.set_range(8193, 0), std::out_of_range);
  b.set_range(8192, 0);
  BOOST_TEST(b.size() == 0u);
  b.reset_range();
  BOOST_TEST(b.size() == 8192u);
  auf::fixed_buffer c = pool.try_acquire();
  BOOST_TEST(pool.available() == 0u);
  c = std::move(b); // c's old buffer goes back
  BOOST_TEST(pool.available() == 1u);
  c.release();
  BOOST_TEST(!c);
  BOOST_TEST(pool.available() == 2u);
}

BOOST_AUTO_TEST_CASE(registration_follows_backend) {
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 8, 4096);
  auf::fixed_buffer b = pool.try_acquire();
  if (backend_under_test() == auf::backend_kind::io_uring) {
    BOOST_TEST(pool.registered());
    BOOST_TEST(b.registered());
    BOOST_TEST(b.slot() >= 0);
  } else {
    BOOST_TEST(!pool.registered());
    BOOST_TEST(b.slot() == -1);
  }
  auf::fixed_buffer_pool plain(ctx, 2, 4096, {auf::registration_mode::none});
  BOOST_TEST(!plain.registered());
  BOOST_TEST(plain.try_acquire().slot() == -1);
}

BOOST_AUTO_TEST_CASE(several_pools_share_the_table,
                     *boost::unit_test::precondition(needs_io_uring)) {
  test_context ctx;
  auf::service_options opts;
  opts.registered_buffer_slots = 24;
  auf::uring_service::install(ctx, opts);
  auto slots_of = [](auf::fixed_buffer_pool& p) {
    std::set<int> s;
    std::vector<auf::fixed_buffer> held;
    while (auto b = p.try_acquire()) {
      s.insert(b.slot());
      held.push_back(std::move(b));
    }
    return s;
  };
  auto a = std::make_unique<auf::fixed_buffer_pool>(ctx, 8, 4096);
  auf::fixed_buffer_pool b(ctx, 8, 4096);
  std::set<int> sa = slots_of(*a), sb = slots_of(b);
  BOOST_TEST(sa.size() == 8u);
  BOOST_TEST(sb.size() == 8u);
  for (int s : sa)
    BOOST_TEST(!sb.count(s));
  // Full table: a third pool of 16 does not fit...
  auf::error_code ec;
  auf::fixed_buffer_pool c(ctx, 16, 4096, {}, ec);
  BOOST_TEST((ec == auf::errc::no_free_slots));
  BOOST_TEST(c.size() == 0u);
  BOOST_TEST(!c.try_acquire());
  // ...until the first pool gives its slots back: the free slots are not
  // contiguous (0-7 and 16-23), which must not matter.
  a.reset();
  auf::fixed_buffer_pool d(ctx, 16, 4096, {}, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(d.registered());
  // And registration that may fail falls back to unregistered memory.
  auf::fixed_buffer_pool e(ctx, 16, 4096, {auf::registration_mode::if_possible}, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(!e.registered());
  BOOST_TEST(e.size() == 16u);
  BOOST_TEST((e.registration_error() == auf::errc::no_free_slots));
  BOOST_TEST(e.registration_message().find("registered_buffer_slots") != std::string::npos,
             e.registration_message());
  BOOST_TEST(!d.registration_error());
}

BOOST_AUTO_TEST_CASE(registration_failure_names_the_cause,
                     *boost::unit_test::precondition(needs_io_uring)) {
  test_context ctx;
  auf::service_options opts;
  opts.registered_buffer_slots = 4;
  auf::uring_service::install(ctx, opts);
  try {
    auf::fixed_buffer_pool pool(ctx, 8, 4096);
    BOOST_FAIL("expected a registration error");
  } catch (const auf::system_error& e) {
    BOOST_TEST((e.code() == auf::errc::no_free_slots));
    std::string what = e.what();
    BOOST_TEST(what.find("registered_buffer_slots") != std::string::npos, what);
    BOOST_TEST(what.find("8 buffers") != std::string::npos, what);
  }
}

namespace {
// In a child process: drop CAP_IPC_LOCK, set RLIMIT_MEMLOCK to 64 KiB, then
// register 16 MiB. Returns the child's exit status: 0 all checks held,
// 77 the privileges could not be dropped, else the number of the failed check.
int register_over_memlock_limit() {
  pid_t pid = ::fork();
  if (pid == 0) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2]{};
    if (::syscall(SYS_capget, &header, caps) != 0)
      ::_exit(77);
    caps[0].effective &= ~(1u << CAP_IPC_LOCK);
    caps[0].permitted &= ~(1u << CAP_IPC_LOCK);
    caps[0].inheritable &= ~(1u << CAP_IPC_LOCK);
    if (::syscall(SYS_capset, &header, caps) != 0)
      ::_exit(77);
    // The service (and its ring) before the limit: with io_uring as Asio's
    // default backend, Asio sets up its own ring for the service's wait,
    // and that is not under test; the registration is.
    test_context ctx;
    if (asio::use_service<auf::uring_service>(ctx).backend() != auf::backend_kind::io_uring)
      ::_exit(77); // the ring itself was refused: nothing to register with
    rlimit rl{64 * 1024, 64 * 1024};
    if (::setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
      ::_exit(77);
    try {
      auf::fixed_buffer_pool pool(ctx, 16, 1 << 20);
      ::_exit(2); // registration should have failed
    } catch (const auf::system_error& e) {
      std::string what = e.what();
      if (e.code().value() != ENOMEM)
        ::_exit(3);
      if (what.find("RLIMIT_MEMLOCK is 64 KiB and the process lacks CAP_IPC_LOCK") ==
          std::string::npos)
        ::_exit(4);
    }
    auf::fixed_buffer_pool fallback(ctx, 16, 1 << 20, {auf::registration_mode::if_possible});
    if (fallback.registered() || fallback.size() != 16)
      ::_exit(5);
    if (fallback.registration_error().value() != ENOMEM ||
        fallback.registration_message().find("RLIMIT_MEMLOCK") == std::string::npos)
      ::_exit(6);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}
} // namespace

int memlock_child_status = -1;

boost::test_tools::assertion_result can_limit_memlock(boost::unit_test::test_unit_id id) {
  auto r = needs_io_uring(id);
  if (!r)
    return r;
  memlock_child_status = register_over_memlock_limit();
  boost::test_tools::assertion_result ok(memlock_child_status != 77);
  if (!ok)
    ok.message() << "could not drop CAP_IPC_LOCK and lower RLIMIT_MEMLOCK in a child";
  return ok;
}

BOOST_AUTO_TEST_CASE(memlock_limit_is_named, *boost::unit_test::precondition(can_limit_memlock)) {
  // The child ran in the precondition; its checks are reported here.
  BOOST_TEST(memlock_child_status == 0, "child failed check " << memlock_child_status);
}

BOOST_AUTO_TEST_CASE(invalid_sizes_are_refused) {
  test_context ctx;
  auf::error_code ec;
  auf::fixed_buffer_pool zero(ctx, 0, 4096, {}, ec);
  BOOST_TEST((ec == auf::errc::invalid_pool_size));
  auf::fixed_buffer_pool huge(ctx, 1, (std::size_t{1} << 30) + 1, {}, ec);
  BOOST_TEST((ec == auf::errc::invalid_pool_size));
  auf::fixed_buffer_pool many(ctx, 16385, 4096, {}, ec);
  BOOST_TEST((ec == auf::errc::invalid_pool_size));
  BOOST_CHECK_THROW(auf::fixed_buffer_pool(ctx, 0, 0), auf::system_error);
}

BOOST_AUTO_TEST_CASE(async_acquire_is_fifo_and_never_inline) {
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  std::vector<int> order;
  bool first_done = false;
  // A free buffer: still completes from run(), not inside the call.
  pool.async_acquire([&](auf::error_code ec, auf::fixed_buffer b) {
    BOOST_TEST(!ec);
    first_done = true;
    // Keep the buffer until three more waiters queued up behind us.
    for (int i = 1; i <= 3; ++i)
      pool.async_acquire([&, i](auf::error_code ec, auf::fixed_buffer b) {
        BOOST_TEST(!ec);
        BOOST_TEST(!!b);
        order.push_back(i);
      });
    b.release();
  });
  BOOST_TEST(!first_done);
  ctx.run();
  BOOST_TEST(first_done);
  BOOST_TEST((order == std::vector<int>{1, 2, 3}));
  BOOST_TEST(pool.available() == 1u);
}

BOOST_AUTO_TEST_CASE(async_acquire_cancellation) {
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::fixed_buffer held = pool.try_acquire();
  asio::cancellation_signal signal;
  auf::error_code result;
  bool called = false;
  pool.async_acquire(
      asio::bind_cancellation_slot(signal.slot(), [&](auf::error_code ec, auf::fixed_buffer b) {
        called = true;
        result = ec;
        BOOST_TEST(!b);
      }));
  asio::post(ctx, [&] { signal.emit(asio::cancellation_type::terminal); });
  ctx.run();
  BOOST_TEST(called);
  BOOST_TEST((result == asio::error::operation_aborted));
  held.release();
  BOOST_TEST(pool.available() == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_the_pool_aborts_waiters_and_keeps_leases_valid) {
  test_context ctx;
  auto pool = std::make_unique<auf::fixed_buffer_pool>(ctx, 1, 4096);
  auf::fixed_buffer held = pool->try_acquire();
  auf::error_code result;
  pool->async_acquire([&](auf::error_code ec, auf::fixed_buffer) { result = ec; });
  pool.reset();
  ctx.run();
  BOOST_TEST((result == asio::error::operation_aborted));
  // The lease still owns valid memory.
  std::memset(held.data(), 0xAB, held.size());
  BOOST_TEST(std::to_integer<int>(held.data()[4095]) == 0xAB);
}

BOOST_AUTO_TEST_CASE(lease_outlives_io_context) {
  auf::fixed_buffer held;
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 2, 4096);
    held = pool.try_acquire();
  }
  std::memset(held.data(), 0x5A, held.size());
  BOOST_TEST(std::to_integer<int>(held.data()[0]) == 0x5A);
  held.release();
  BOOST_TEST(!held);
}

BOOST_AUTO_TEST_CASE(empty_pool_object_reports_errors) {
  test_context ctx;
  auf::error_code ec;
  auf::fixed_buffer_pool bad(ctx, 0, 1, {}, ec);
  BOOST_REQUIRE(!!ec);
  auf::error_code result;
  bool called = false;
  bad.async_acquire([&](auf::error_code e, auf::fixed_buffer) {
    called = true;
    result = e;
  });
  BOOST_TEST(!called);
  ctx.run();
  BOOST_TEST(called);
  // Defect 11: this used to say "the lease holds no buffer".
  BOOST_TEST((result == auf::errc::no_pool));
  // The error_code constructor keeps the explanation (it used to be empty).
  BOOST_TEST(bad.registration_message().find("1..16384 buffers") != std::string::npos);
}

// Defect 11: the messages name the option, the value and the limit.
BOOST_AUTO_TEST_CASE(errors_explain_themselves) {
  {
    test_context ctx;
    auf::error_code ec;
    auf::pool_options o;
    o.huge_pages = true;
    // More huge pages than any test machine reserves.
    auf::fixed_buffer_pool huge(ctx, 16384, std::size_t{1} << 30, o, ec);
    BOOST_TEST(!!ec);
    BOOST_TEST_MESSAGE(huge.registration_message());
    BOOST_TEST(huge.registration_message().find("huge_pages") != std::string::npos);
    BOOST_TEST(huge.registration_message().find("nr_hugepages") != std::string::npos);
  }
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 1, 4096);
    auf::fixed_buffer b = pool.try_acquire();
    try {
      b.set_range(4000, 200);
      BOOST_FAIL("no exception");
    } catch (const std::out_of_range& e) {
      std::string what = e.what();
      BOOST_TEST(what.find("4000") != std::string::npos);
      BOOST_TEST(what.find("200") != std::string::npos);
      BOOST_TEST(what.find("4096") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

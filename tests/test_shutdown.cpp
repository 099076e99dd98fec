#include "support.hpp"

#include <boost/test/data/test_case.hpp>

#include <functional>
#include <ostream>

using namespace test;

namespace {

// Two files with the same content, and the mix of operations the tests with
// thousands in flight start on them: reads, writes of the same bytes back
// (the files stay intact whatever happens) and copy steps from src to dst.
struct mixed_files {
  static constexpr std::size_t block = 4096, blocks = 512;
  scratch s;
  std::vector<std::byte> data;
  auf::file src = create("src");
  auf::file dst = create("dst");

  explicit mixed_files(std::uint64_t seed) : data(pattern(block * blocks, seed)) {}

  auf::file create(const char* name) {
    write_file(s.path(name), data);
    return auf::file(s.path(name), auf::file::read_write);
  }

  /// Starts operation i of the mix with buffer b.
  template <typename Handler>
  void start(std::size_t i, auf::fixed_buffer b, Handler&& handler) {
    std::uint64_t at = (i % blocks) * block;
    switch (i % 3) {
    case 0:
      auf::async_read_fixed_at(src, at, std::move(b), std::forward<Handler>(handler));
      break;
    case 1:
      std::memcpy(b.data(), data.data() + at, block);
      auf::async_write_fixed_at(src, at, std::move(b), std::forward<Handler>(handler));
      break;
    default:
      auf::async_copy_fixed_at(src, at, dst, at, std::move(b), std::forward<Handler>(handler));
      break;
    }
  }

  bool intact() const {
    return same(read_file(s.path("src")), data) && same(read_file(s.path("dst")), data);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(service_shutdown)

BOOST_AUTO_TEST_CASE(destroying_the_context_with_blocked_reads) {
  // Reads on an empty pipe stay in flight until the service cancels them at
  // shutdown; their handlers are destroyed, never called, and the buffers
  // are released only after the kernel completed.
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  auf::fixed_buffer survivor;
  {
    test_context ctx;
    auto pool = std::make_unique<auf::fixed_buffer_pool>(ctx, 8, 4096);
    survivor = pool->try_acquire();
    for (int i = 0; i < 7; ++i)
      auf::async_read_fixed_at(p.read_end, 0, pool->try_acquire(), logged_handler(log));
    pool.reset(); // the pool object goes first; operations keep their leases
    ctx.poll();
  }
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() >= 7);
  std::memset(survivor.data(), 1, survivor.size()); // still valid memory
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_many_file_ops) {
  scratch s;
  auto data = pattern(1 << 20, 4);
  write_file(s.path("f"), data);
  auf::file f(s.path("f"), auf::file::read_write);
  auto log = std::make_shared<handler_log>();
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 1024, 4096);
    for (int i = 0; i < 1024; ++i) {
      auto b = pool.try_acquire();
      if (i % 2)
        auf::async_read_fixed_at(f, (i % 256) * 4096, std::move(b), logged_handler(log));
      else {
        std::memcpy(b.data(), data.data() + (i % 256) * 4096, 4096);
        auf::async_write_fixed_at(f, (i % 256) * 4096, std::move(b), logged_handler(log));
      }
    }
  } // never run: shutdown waits for every completion, then destroys
  BOOST_TEST(log->calls.load() == 0);
  // Writes wrote the same bytes back: the file is intact.
  BOOST_TEST(same(read_file(s.path("f")), data));
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_thousands_of_mixed_ops) {
  // Reads, writes, copy steps (linked pairs, or read then write on Asio's
  // ring) and blocked pipe reads, some completed and queued but not run,
  // the rest in flight: destroying the context must free each exactly once
  // and only after the kernel is done (run under AddressSanitizer in CI).
  mixed_files f(21);
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  int calls_before_run = -1;
  for (int round = 0; round < 2; ++round) {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 3200, f.block, {auf::registration_mode::if_possible});
    for (std::size_t i = 0; i < 3072; ++i)
      f.start(i, pool.try_acquire(), logged_handler(log));
    for (int i = 0; i < 64; ++i)
      auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), logged_handler(log));
    if (round == 1) {
      calls_before_run = log->calls.load();
      // Some handlers run, more results wait in the queues. Bounded: the
      // pipe reads never complete, and a private ring may complete all the
      // file operations in one turn.
      for (int i = 0; i < 50; ++i)
        ctx.run_one_for(std::chrono::milliseconds(20));
    }
  }
  BOOST_TEST(calls_before_run == 0);
  // Every handler destroyed exactly once, called or not.
  BOOST_TEST(log->destroyed.load() == 2 * (3072 + 64));
  BOOST_TEST(f.intact());
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_acquire_waiters) {
  auto log = std::make_shared<handler_log>();
  auf::fixed_buffer held;
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 1, 4096);
    held = pool.try_acquire();
    for (int i = 0; i < 3; ++i)
      pool.async_acquire(logged_handler(log));
    ctx.poll();
  }
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() >= 3);
  held.release();
}

BOOST_AUTO_TEST_CASE(cancel_all_then_destroy_everything) {
  scratch s;
  auto data = pattern(1 << 20, 12);
  write_file(s.path("f"), data);
  auf::file f(s.path("f"), auf::file::read_only);
  std::atomic<int> aborted{0}, ok{0};
  std::size_t available_at_end = 0;
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 256, 4096);
    std::vector<asio::cancellation_signal> signals(256);
    for (int i = 0; i < 256; ++i)
      auf::async_read_fixed_at(
          f, i * 4096, pool.try_acquire(),
          asio::bind_cancellation_slot(signals[i].slot(),
                                       [&](auf::error_code ec, std::size_t, auf::fixed_buffer) {
                                         (ec == asio::error::operation_aborted ? aborted : ok)++;
                                       }));
    for (auto& sig : signals)
      sig.emit(asio::cancellation_type::terminal);
    ctx.run();
    available_at_end = pool.available();
  }
  BOOST_TEST(aborted + ok == 256);
  BOOST_TEST(available_at_end == 256u);
}

namespace {

enum class ending { cancel_all, destroy_pool, destroy_context, stop_and_restart };

std::ostream& operator<<(std::ostream& os, ending e) {
  const char* names[] = {"cancel_all", "destroy_pool", "destroy_context", "stop_and_restart"};
  return os << names[static_cast<int>(e)];
}

// What the handlers saw: calls, destructions, and how often each buffer came
// back (a lease lost or returned twice shows here).
struct tally {
  std::atomic<int> calls{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> aborted{0};
  std::vector<std::atomic<int>> returned;
  explicit tally(std::size_t buffers) : returned(buffers) {}
};

struct tallied_handler {
  std::shared_ptr<tally> t;
  std::function<void()> after; // runs after each call (stop_and_restart)
  tallied_handler(std::shared_ptr<tally> t, std::function<void()> after)
      : t(std::move(t)), after(std::move(after)) {}
  tallied_handler(tallied_handler&& o) noexcept = default;
  ~tallied_handler() {
    if (t)
      ++t->destroyed;
  }
  void operator()(auf::error_code ec, auf::copy_progress, auf::fixed_buffer b) {
    (*this)(ec, std::size_t{0}, std::move(b));
  }
  void operator()(auf::error_code ec, std::size_t, auf::fixed_buffer b) {
    ++t->calls;
    if (ec == asio::error::operation_aborted)
      ++t->aborted;
    BOOST_TEST(!!b);
    if (b)
      ++t->returned[b.index()];
    if (after)
      after();
  }
};

} // namespace

// Thousands of reads, writes and linked copy steps in flight (far more than
// the ring holds, so most wait in the backlog), then one way of ending them.
// Run under ASan and TSan in CI.
BOOST_DATA_TEST_CASE(lifetime_under_fire,
                     boost::unit_test::data::make({ending::cancel_all, ending::destroy_pool,
                                                   ending::destroy_context,
                                                   ending::stop_and_restart}),
                     how) {
  constexpr std::size_t ops = 3000;
  mixed_files f(31);
  pipe_pair p;
  auto t = std::make_shared<tally>(ops);
  std::size_t available_at_end = 0;
  int runs = 0;
  bool blocked_reads = false;
  // Signals outlive the operations whose slots they hold (Asio's rule).
  std::vector<asio::cancellation_signal> signals(ops);
  {
    test_context ctx;
    auf::service_options opts;
    opts.ring_entries = 64;
    auf::uring_service::install(ctx, opts);
    auto pool = std::make_unique<auf::fixed_buffer_pool>(ctx, ops, f.block);
    std::function<void()> after;
    if (how == ending::stop_and_restart)
      after = [&] {
        if (t->calls % 500 == 0)
          ctx.stop();
      };
    // File operations on the page cache may all finish before the ending;
    // reads of an empty pipe stay in flight until cancelled (both backends).
    blocked_reads = how == ending::cancel_all || how == ending::destroy_context;
    for (std::size_t i = 0; i < ops; ++i) {
      auto b = pool->try_acquire();
      BOOST_REQUIRE(b);
      auto h = asio::bind_cancellation_slot(signals[i].slot(), tallied_handler(t, after));
      if (blocked_reads && i % 4 == 3)
        auf::async_read_fixed_at(p.read_end, 0, std::move(b), std::move(h));
      else
        f.start(i, std::move(b), std::move(h));
    }
    switch (how) {
    case ending::cancel_all:
      for (auto& sig : signals)
        sig.emit(asio::cancellation_type::terminal);
      runs = 1, ctx.run();
      break;
    case ending::destroy_pool:
      pool.reset(); // the operations keep their leases, and the memory
      runs = 1, ctx.run();
      break;
    case ending::destroy_context:
      ctx.poll_one(); // some complete, the rest are in flight at shutdown
      break;
    case ending::stop_and_restart:
      while (t->calls < static_cast<int>(ops) && runs < 100) {
        ctx.restart();
        ctx.run();
        ++runs;
      }
      break;
    }
    if (pool)
      available_at_end = pool->available();
  } // the io_context goes: shutdown waits for the kernel, then destroys
  int calls = t->calls;
  BOOST_TEST_CONTEXT("ending " << how << ", " << calls << " handlers called") {
    if (how == ending::destroy_context) {
      BOOST_TEST(calls < static_cast<int>(ops));
      // Every handler not called was destroyed without being called.
      BOOST_TEST(t->destroyed.load() >= static_cast<int>(ops) - calls);
    } else {
      BOOST_TEST(calls == static_cast<int>(ops));
      for (std::size_t i = 0; i < ops; ++i)
        BOOST_TEST(t->returned[i].load() == 1,
                   "buffer " << i << " came back " << t->returned[i].load() << " times");
      if (how != ending::destroy_pool)
        BOOST_TEST(available_at_end == ops);
    }
    if (how == ending::cancel_all && blocked_reads) // else all may have finished
      BOOST_TEST(t->aborted.load() >= static_cast<int>(ops / 4));
    if (how == ending::stop_and_restart)
      BOOST_TEST(runs > 1);
    for (auto& r : t->returned)
      BOOST_TEST(r.load() <= 1);
    BOOST_TEST(f.intact());
  }
}

BOOST_AUTO_TEST_SUITE_END()

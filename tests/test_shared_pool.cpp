// One fixed_buffer_pool serving several io_contexts (a context per thread):
// the slots it takes are the same in every ring, operations run on the
// context they are meant for, buffers pass between contexts, the memory is
// pinned once where the kernel clones, and nothing outlives what it uses.
#include "support.hpp"

#include <fstream>
#include <functional>
#include <latch>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

using namespace test;

namespace {

constexpr std::size_t block = 4096;

/// Several io_contexts, each with the service on it.
struct contexts {
  explicit contexts(std::size_t n, const auf::service_options* options = nullptr) {
    for (std::size_t i = 0; i < n; ++i) {
      owned.push_back(std::make_unique<test_context>());
      if (options)
        auf::uring_service::install(*owned.back(), *options);
      list.push_back(owned.back().get());
    }
  }
  asio::io_context& operator[](std::size_t i) { return *owned[i]; }
  std::vector<std::unique_ptr<test_context>> owned;
  std::vector<asio::io_context*> list;
};

bool on_io_uring(asio::io_context& ctx) {
  return asio::use_service<auf::uring_service>(ctx).backend() == auf::backend_kind::io_uring;
}

/// VmPin of this process in KiB (the memory io_uring pinned for registered
/// buffers), or nothing where /proc does not say.
std::optional<long> pinned_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmPin:", 0) == 0)
      return std::stol(line.substr(6));
  return std::nullopt;
}

/// How much VmPin grows while what make() returns is alive. Rings closed
/// earlier give their pinned memory back asynchronously, which can only
/// lower one reading: the largest growth of three is the figure.
template <typename Make>
long pinned_growth(Make make) {
  long growth = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    long before = *pinned_kib();
    auto held = make();
    growth = std::max(growth, *pinned_kib() - before);
  }
  return growth;
}

struct file_fixture {
  scratch s;
  std::vector<std::byte> data = pattern(32 * block, 11);
  fs::path path = s.path("data");
  auf::file f;
  file_fixture() {
    write_file(path, data);
    f = auf::file(path, auf::file::read_write);
  }
  std::span<const std::byte> expect(std::size_t i) const {
    return std::span(data).subspan(i * block, block);
  }
};

/// Reads block i into lease with a handler bound to ctx, runs ctx, and
/// checks the bytes and that the handler ran inside ctx.run().
void read_on(asio::io_context& ctx, file_fixture& fx, std::size_t i, auf::fixed_buffer lease) {
  bool done = false;
  auf::async_read_fixed_at(
      fx.f, i * block, std::move(lease),
      asio::bind_executor(ctx, [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(n == block);
        BOOST_TEST(same(b.span(), fx.expect(i)));
        BOOST_TEST(ctx.get_executor().running_in_this_thread());
        done = true;
      }));
  ctx.restart();
  ctx.run();
  BOOST_TEST(done);
}

} // namespace

BOOST_AUTO_TEST_SUITE(shared_pool)

BOOST_AUTO_TEST_CASE(each_context_tells_how_it_is_attached) {
  contexts c(3);
  test_context other;
  auf::fixed_buffer_pool pool(c.list, 4, block);
  BOOST_TEST(pool.context_count() == 3u);
  BOOST_TEST(pool.size() == 4u);
  BOOST_TEST((pool.attachment(other) == auf::pool_attachment::not_attached));
  if (!on_io_uring(c[0])) {
    for (asio::io_context* ctx : c.list)
      BOOST_TEST((pool.attachment(*ctx) == auf::pool_attachment::unregistered));
    BOOST_TEST(!pool.registered());
    return;
  }
  BOOST_TEST(pool.registered());
  BOOST_TEST((pool.attachment(c[0]) == auf::pool_attachment::registered));
  for (std::size_t i = 1; i < 3; ++i) {
    auf::pool_attachment a = pool.attachment(c[i]);
    BOOST_TEST_MESSAGE("context #" << i << ": " << auf::to_string(a));
    BOOST_TEST((a == auf::pool_attachment::cloned || a == auf::pool_attachment::registered_again));
  }
  BOOST_TEST(auf::to_string(auf::pool_attachment::cloned) == "cloned");
  BOOST_TEST(auf::to_string(auf::pool_attachment::registered_again) == "registered again");
}

BOOST_AUTO_TEST_CASE(a_lease_reads_on_every_context) {
  file_fixture fx;
  contexts c(3);
  auf::fixed_buffer_pool pool(c.list, 3, block);
  std::size_t i = 0;
  for (asio::io_context* ctx : c.list)
    for (int round = 0; round < 3; ++round) // every buffer on every ring
      read_on(*ctx, fx, i++ % 32, pool.try_acquire());
  BOOST_TEST(pool.available() == 3u);
}

BOOST_AUTO_TEST_CASE(unbound_handlers_run_where_they_were_started) {
  file_fixture fx;
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 2, block);
  // Started from a handler running in c[1]: the read runs on c[1].
  bool done = false;
  asio::post(c[1], [&] {
    auf::async_read_fixed_at(fx.f, 5 * block, pool.try_acquire(),
                             [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
                               BOOST_TEST(!ec, ec.message());
                               BOOST_TEST(same(b.span(), fx.expect(5)));
                               BOOST_TEST(c[1].get_executor().running_in_this_thread());
                               done = true;
                             });
  });
  c[1].run();
  BOOST_TEST(done);
  c[0].poll();
  BOOST_TEST(done);
  // Started outside every run(): the home context.
  done = false;
  auf::async_read_fixed_at(fx.f, 6 * block, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
                             BOOST_TEST(!ec, ec.message());
                             BOOST_TEST(same(b.span(), fx.expect(6)));
                             BOOST_TEST(c[0].get_executor().running_in_this_thread());
                             done = true;
                           });
  c[1].restart();
  c[1].poll();
  BOOST_TEST(!done); // not run on c[1]
  c[0].restart();
  c[0].run();
  BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(writes_from_two_contexts_land) {
  scratch s;
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 4, block);
  auf::file out(s.path("out"), auf::file::write_only | auf::file::create);
  std::vector<std::byte> expected;
  int done = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    auf::fixed_buffer lease = pool.try_acquire();
    auto bytes = pattern(block, 20 + i);
    std::copy(bytes.begin(), bytes.end(), lease.data());
    expected.insert(expected.end(), bytes.begin(), bytes.end());
    asio::io_context& ctx = c[i % 2];
    auf::async_write_fixed_all_at(
        out, i * block, std::move(lease),
        asio::bind_executor(ctx, [&, i](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
          BOOST_TEST(!ec, ec.message());
          BOOST_TEST(n == block);
          BOOST_TEST(c[i % 2].get_executor().running_in_this_thread());
          ++done;
        }));
  }
  c[0].run();
  c[1].run();
  BOOST_TEST(done == 4);
  BOOST_TEST(same(read_file(s.path("out")), expected));
}

BOOST_AUTO_TEST_CASE(copy_step_runs_on_the_bound_context) {
  file_fixture fx;
  scratch s;
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 1, 8 * block);
  auf::file out(s.path("copy"), auf::file::write_only | auf::file::create);
  bool done = false;
  auf::async_copy_fixed_at(
      fx.f, 0, out, 0, pool.try_acquire(),
      asio::bind_executor(c[1], [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
        BOOST_TEST(!ec, ec.message());
        BOOST_TEST(p.written == 8 * block);
        BOOST_TEST(c[1].get_executor().running_in_this_thread());
        done = true;
      }));
  c[1].run();
  BOOST_TEST(done);
  BOOST_TEST(same(read_file(s.path("copy")), std::span(fx.data).first(8 * block)));
}

BOOST_AUTO_TEST_CASE(a_context_the_pool_does_not_serve_is_refused) {
  file_fixture fx;
  contexts c(2);
  test_context other;
  auf::fixed_buffer_pool pool(c.list, 2, block);
  auf::error_code read_ec, acquire_ec;
  auf::async_read_fixed_at(
      fx.f, 0, pool.try_acquire(),
      asio::bind_executor(other, [&](auf::error_code ec, std::size_t, auf::fixed_buffer b) {
        read_ec = ec;
        BOOST_TEST(static_cast<bool>(b)); // the lease comes back
      }));
  pool.async_acquire(asio::bind_executor(
      other, [&](auf::error_code ec, auf::fixed_buffer b) { acquire_ec = ec, (void)b; }));
  other.run();
  BOOST_TEST((read_ec == auf::errc::wrong_context), read_ec.message());
  BOOST_TEST((acquire_ec == auf::errc::wrong_context), acquire_ec.message());
  BOOST_TEST(pool.available() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_context_lists_are_refused) {
  contexts c(2);
  std::vector<asio::io_context*> twice{c.list[0], c.list[1], c.list[0]};
  try {
    auf::fixed_buffer_pool pool(twice, 2, block);
    BOOST_FAIL("a context listed twice was accepted");
  } catch (const auf::system_error& e) {
    BOOST_TEST((e.code() == auf::errc::invalid_option));
    BOOST_TEST(std::string(e.what()).find("twice") != std::string::npos, e.what());
  }
  std::vector<asio::io_context*> none;
  BOOST_CHECK_THROW(auf::fixed_buffer_pool(none, 2, block), auf::system_error);
  std::vector<asio::io_context*> with_null{c.list[0], nullptr};
  auf::error_code ec;
  auf::fixed_buffer_pool failed(with_null, 2, block, {}, ec);
  BOOST_TEST((ec == auf::errc::invalid_option));
  BOOST_TEST(failed.size() == 0u);
  BOOST_TEST(failed.registration_message().find("null") != std::string::npos);
}

// Pools on one ring, on the other, and on both come and go; each shared
// pool's slots must be free in both tables, so every lease reads correctly
// (a slot naming another buffer fails with EFAULT) on both rings.
BOOST_AUTO_TEST_CASE(slots_agree_across_rings_as_pools_come_and_go,
                     *boost::unit_test::timeout(120)) {
  file_fixture fx;
  auf::service_options opts;
  opts.registered_buffer_slots = 16;
  contexts c(2, &opts);
  auto only_a = std::make_unique<auf::fixed_buffer_pool>(c[0], 3, block);
  auf::fixed_buffer_pool only_b(c[1], 5, block);
  auf::fixed_buffer_pool shared1(c.list, 4, block);
  only_a.reset(); // frees 3 slots in a's table only
  auf::fixed_buffer_pool shared2(c.list, 6, block);
  for (auf::fixed_buffer_pool* pool : {&shared1, &shared2}) {
    std::vector<auf::fixed_buffer> leases;
    for (std::size_t k = 0; k < pool->size(); ++k)
      leases.push_back(pool->try_acquire());
    std::set<int> slots;
    for (auto& lease : leases)
      slots.insert(lease.slot());
    if (on_io_uring(c[0]) && pool->registered())
      BOOST_TEST(slots.size() == pool->size()); // distinct slots
    std::size_t i = 0;
    for (auto& lease : leases) {
      read_on(c[i % 2], fx, i, std::move(lease));
      ++i;
    }
  }
  if (!on_io_uring(c[0]))
    return;
  // 16 - 5 (b) - 4 - 6 = 1 slot free in both: a pool of 2 does not fit,
  // although a's table alone has 4 free.
  auf::error_code ec;
  auf::fixed_buffer_pool too_big(c.list, 2, block, {}, ec);
  BOOST_TEST((ec == auf::errc::no_free_slots), ec.message());
  BOOST_TEST(too_big.registration_message().find("same free slots") != std::string::npos,
             too_big.registration_message());
  auf::fixed_buffer_pool fits_a(c[0], 4, block);
  BOOST_TEST(fits_a.registered());
}

BOOST_AUTO_TEST_CASE(a_buffer_released_on_one_context_serves_a_waiter_on_another) {
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 1, block);
  auf::fixed_buffer held = pool.try_acquire();
  BOOST_REQUIRE(held);
  bool granted = false;
  pool.async_acquire(asio::bind_executor(c[1], [&](auf::error_code ec, auf::fixed_buffer b) {
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(static_cast<bool>(b));
    BOOST_TEST(c[1].get_executor().running_in_this_thread());
    granted = true;
  }));
  c[1].poll(); // Asio's own io_uring backend may have work of its own to run
  BOOST_TEST(!granted);
  asio::post(c[0], [&] { held.release(); });
  c[0].run();
  c[1].restart();
  c[1].run();
  BOOST_TEST(granted);
  BOOST_TEST(pool.available() == 1u);
}

// The thread-per-core shape: each thread runs its own context and keeps
// reads in flight with leases of the one pool, acquired asynchronously.
BOOST_AUTO_TEST_CASE(two_threads_each_with_its_context, *boost::unit_test::timeout(120)) {
  file_fixture fx;
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 6, block); // fewer than in flight: waiters
  constexpr int per_thread = 300, depth = 4;
  struct worker {
    asio::io_context* ctx;
    std::atomic<int> completed{0};
    std::atomic<int> wrong{0};
    int started = 0;
  };
  std::array<worker, 2> w{worker{c.list[0]}, worker{c.list[1]}};
  std::function<void(worker&)> next = [&](worker& me) {
    if (me.started == per_thread)
      return;
    std::size_t i = static_cast<std::size_t>(me.started++) % 32;
    pool.async_acquire([&, i](auf::error_code ec, auf::fixed_buffer lease) {
      if (ec || !me.ctx->get_executor().running_in_this_thread())
        ++me.wrong;
      auf::async_read_fixed_at(fx.f, i * block, std::move(lease),
                               [&, i](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                                 if (ec || n != block || !same(b.span(), fx.expect(i)) ||
                                     !me.ctx->get_executor().running_in_this_thread())
                                   ++me.wrong;
                                 ++me.completed;
                                 b.release(); // may grant the other thread's waiter
                                 next(me);
                               });
    });
  };
  std::vector<std::thread> threads;
  for (worker& me : w)
    threads.emplace_back([&] {
      asio::post(*me.ctx, [&] {
        for (int d = 0; d < depth; ++d)
          next(me);
      });
      me.ctx->run();
    });
  for (auto& t : threads)
    t.join();
  for (worker& me : w) {
    BOOST_TEST(me.completed.load() == per_thread);
    BOOST_TEST(me.wrong.load() == 0);
  }
  BOOST_TEST(pool.available() == 6u);
}

// On the library's own rings: Asio's rings (Asio-ring mode) register the
// table in each of their rings, which this count would include.
BOOST_AUTO_TEST_CASE(pinned_once_when_cloned, *boost::unit_test::precondition(needs_private_ring)) {
  constexpr std::size_t rings = 4, count = 4, size = 256 * 1024;
  constexpr long pool_kib = count * size / 1024;
  if (!pinned_kib()) {
    BOOST_TEST_MESSAGE("SKIP: /proc/self/status has no VmPin here");
    return;
  }
  contexts c(rings);
  std::vector<auf::pool_attachment> how;
  long shared_kib = pinned_growth([&] {
    auto pool = std::make_unique<auf::fixed_buffer_pool>(c.list, count, size);
    how.clear();
    for (asio::io_context* ctx : c.list)
      how.push_back(pool->attachment(*ctx));
    return pool;
  });
  long expected = 0;
  for (auf::pool_attachment a : how)
    if (a == auf::pool_attachment::registered || a == auf::pool_attachment::registered_again)
      expected += pool_kib;
  BOOST_TEST_MESSAGE("shared pool of " << pool_kib << " KiB on " << rings << " rings pins "
                                       << shared_kib << " KiB (" << expected
                                       << " KiB expected from the attachments)");
  BOOST_TEST(shared_kib == expected);
  // One pool per ring pins it once per ring: the comparison the shared pool
  // is for (and proof that VmPin does count registrations here).
  long separate_kib = pinned_growth([&] {
    std::vector<std::unique_ptr<auf::fixed_buffer_pool>> separate;
    for (asio::io_context* ctx : c.list)
      separate.push_back(std::make_unique<auf::fixed_buffer_pool>(*ctx, count, size));
    return separate;
  });
  BOOST_TEST(separate_kib == static_cast<long>(rings) * pool_kib);
}

BOOST_AUTO_TEST_CASE(mixed_backends_share_one_pool,
                     *boost::unit_test::precondition(needs_io_uring)) {
  file_fixture fx;
  test_context ring_ctx, portable_ctx;
  auf::service_options portable;
  portable.backend = auf::backend_preference::portable;
  auf::uring_service::install(portable_ctx, portable);
  auf::fixed_buffer_pool pool({&ring_ctx, &portable_ctx}, 2, block);
  BOOST_TEST((pool.attachment(ring_ctx) == auf::pool_attachment::registered));
  BOOST_TEST((pool.attachment(portable_ctx) == auf::pool_attachment::unregistered));
  read_on(ring_ctx, fx, 1, pool.try_acquire());
  read_on(portable_ctx, fx, 2, pool.try_acquire());
}

BOOST_AUTO_TEST_CASE(unregistered_where_asked) {
  file_fixture fx;
  contexts c(2);
  auf::fixed_buffer_pool pool(c.list, 2, block, {auf::registration_mode::none});
  for (asio::io_context* ctx : c.list)
    BOOST_TEST((pool.attachment(*ctx) == auf::pool_attachment::unregistered));
  read_on(c[1], fx, 3, pool.try_acquire());
}

// Reads that never complete by themselves, in flight on both contexts when
// the pool object and then the contexts go: handlers are destroyed, not
// called, and no memory is freed under the kernel (ASan watches).
BOOST_AUTO_TEST_CASE(shutdown_with_reads_in_flight_on_every_context) {
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  auf::fixed_buffer survivor;
  {
    contexts c(2);
    auto pool = std::make_unique<auf::fixed_buffer_pool>(c.list, 6, block);
    survivor = pool->try_acquire();
    for (int i = 0; i < 5; ++i)
      auf::async_read_fixed_at(p.read_end, 0, pool->try_acquire(),
                               asio::bind_executor(c[i % 2], logged_handler(log)));
    pool->async_acquire(asio::bind_executor(c[1], logged_handler(log))); // waits
    pool.reset();
    c[0].poll();
    c[1].poll();
    c.owned[1].reset(); // one context first, the other later
  }
  BOOST_TEST(log->calls.load() == 1); // the waiter, aborted by the pool's end
  BOOST_TEST(log->destroyed.load() == 6);
  BOOST_TEST(static_cast<bool>(survivor));
  std::fill(survivor.data(), survivor.data() + survivor.size(), std::byte{1});
}

BOOST_AUTO_TEST_CASE(rings_option_is_checked) {
  for (unsigned rings : {0u, 65u}) {
    test_context ctx;
    auf::service_options opts;
    opts.rings = rings;
    try {
      auf::uring_service::install(ctx, opts);
      BOOST_FAIL("rings = " << rings << " was accepted");
    } catch (const auf::system_error& e) {
      BOOST_TEST((e.code() == auf::errc::invalid_option));
      BOOST_TEST(std::string(e.what()).find("rings") != std::string::npos, e.what());
    }
  }
}

// One io_context with a ring per run() thread: pools are registered in the
// first ring and cloned into the others; reads started on each thread go to
// that thread's ring, and every lease works on every ring.
BOOST_AUTO_TEST_CASE(one_context_with_a_ring_per_thread, *boost::unit_test::timeout(120)) {
  file_fixture fx;
  test_context ctx(2);
  auf::service_options opts;
  opts.rings = 2;
  auto& service = auf::uring_service::install(ctx, opts);
  const bool rings =
      service.backend() == auf::backend_kind::io_uring && !service.engine().host_delivers();
  BOOST_TEST(service.ring_count() == (rings ? 2u : 1u));
  auf::fixed_buffer_pool pool(ctx, 8, block);
  BOOST_TEST(pool.context_count() == 1u);
  if (rings)
    BOOST_TEST((pool.attachment(ctx) == auf::pool_attachment::registered));
  constexpr int per_thread = 400, depth = 4;
  std::atomic<int> completed{0}, wrong{0};
  std::mutex seen_mutex;
  std::set<const void*> engines_seen;
  std::function<void(int)> next = [&](int left) {
    if (left == 0)
      return;
    std::size_t i = static_cast<std::size_t>(left) % 32;
    {
      std::lock_guard lock(seen_mutex);
      engines_seen.insert(&service.engine_for_this_thread());
    }
    pool.async_acquire([&, i, left](auf::error_code ec, auf::fixed_buffer lease) {
      if (ec)
        ++wrong;
      auf::async_read_fixed_at(
          fx.f, i * block, std::move(lease),
          [&, i, left](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
            if (ec || n != block || !same(b.span(), fx.expect(i)))
              ++wrong;
            ++completed;
            b.release();
            next(left - 1);
          });
    });
  };
  // Both threads start their reads before either runs the context: a run()
  // that finds no work stops the context for the other thread.
  std::latch started(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      for (int d = 0; d < depth; ++d)
        next(per_thread / depth); // started outside run(): this thread's ring
      started.arrive_and_wait();
      ctx.run();
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(completed.load() == 2 * per_thread);
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(pool.available() == 8u);
  BOOST_TEST(service.outstanding() == 0u);
  if (rings)
    BOOST_TEST(engines_seen.size() == 2u); // both rings did work
}

BOOST_AUTO_TEST_CASE(rings_of_a_context_shut_down_with_reads_in_flight) {
  pipe_pair p;
  auto log = std::make_shared<handler_log>();
  {
    test_context ctx;
    auf::service_options opts;
    opts.rings = 3;
    auto& service = auf::uring_service::install(ctx, opts);
    auf::fixed_buffer_pool pool(ctx, 6, block);
    std::vector<std::thread> starters;
    for (int t = 0; t < 3; ++t) // one reader per thread: several rings
      starters.emplace_back([&] {
        auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), logged_handler(log));
        auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(), logged_handler(log));
      });
    for (auto& t : starters)
      t.join();
    ctx.poll();
    BOOST_TEST(service.outstanding() == 6u);
  }
  BOOST_TEST(log->calls.load() == 0);
  BOOST_TEST(log->destroyed.load() == 6);
}

BOOST_AUTO_TEST_SUITE_END()

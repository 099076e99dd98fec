// Cancellation as real multi-threaded programs use it: handlers on strands,
// two threads running the io_context, cancellations from timers racing the
// completions; a cancellation slot that throws; and operation memory that a
// handler-owned arena provides, on the complete and the destroy paths.
// Run under ASan+UBSan and TSan in CI.
#include "support.hpp"

#include <array>
#include <chrono>
#include <cstring>
#include <new>
#include <random>
#include <thread>

using namespace test;

namespace {

constexpr std::size_t block = 4096;

/// One lane of the race: a read and a timer on one strand; the timer emits
/// a cancellation at a random moment, before, during or after the read's
/// completion on the other thread. The next round starts when both are done.
struct lane {
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  asio::cancellation_signal signal;
  std::minstd_rand rng;
  std::size_t rounds_left;
  int pending = 0;

  lane(asio::io_context& ctx, unsigned seed, std::size_t rounds)
      : strand(asio::make_strand(ctx)), timer(strand), rng(seed), rounds_left(rounds) {}
};

struct race_totals {
  std::atomic<std::size_t> completed{0};
  std::atomic<std::size_t> aborted{0};
  std::atomic<std::size_t> wrong{0};
  std::atomic<std::size_t> outside_strand{0};
};

void next_round(lane& l, auf::file& f, auf::fixed_buffer b, race_totals& t,
                std::size_t file_blocks);

using shared_lease = std::shared_ptr<auf::fixed_buffer>;

void round_done(lane& l, auf::file& f, const shared_lease& lease, race_totals& t,
                std::size_t file_blocks) {
  if (--l.pending == 0 && l.rounds_left > 0)
    next_round(l, f, std::move(*lease), t, file_blocks);
}

void next_round(lane& l, auf::file& f, auf::fixed_buffer b, race_totals& t,
                std::size_t file_blocks) {
  --l.rounds_left;
  l.pending = 2;
  std::uint64_t at = (l.rng() % file_blocks) * block;
  auto lease = std::make_shared<auf::fixed_buffer>(); // the lease comes back here
  auf::async_read_fixed_at(
      f, at, std::move(b),
      asio::bind_cancellation_slot(
          l.signal.slot(), asio::bind_executor(l.strand, [&l, &f, &t, file_blocks,
                                                          lease](auf::error_code ec, std::size_t n,
                                                                 auf::fixed_buffer back) {
            if (!l.strand.running_in_this_thread())
              ++t.outside_strand;
            ++t.completed;
            if (ec == asio::error::operation_aborted)
              ++t.aborted;
            else if (ec || n != block || !back)
              ++t.wrong;
            *lease = std::move(back);
            round_done(l, f, lease, t, file_blocks);
          })));
  // 0..40 µs: some fire before the read is reaped, some after.
  l.timer.expires_after(std::chrono::microseconds(l.rng() % 40));
  l.timer.async_wait(
      asio::bind_executor(l.strand, [&l, &f, &t, file_blocks, lease](auf::error_code) {
        static constexpr asio::cancellation_type types[] = {asio::cancellation_type::terminal,
                                                            asio::cancellation_type::partial,
                                                            asio::cancellation_type::total};
        l.signal.emit(types[l.rng() % 3]);
        round_done(l, f, lease, t, file_blocks);
      }));
}

} // namespace

BOOST_AUTO_TEST_SUITE(cancellation)

// Defect 1 of the hardening issue. Before the fix the cancellation handler
// kept the operation's address: the strand thread's emit raced the reaping
// thread's slot.clear() (TSan: data race in cancellation_slot) and, when the
// read had completed, engine::cancel() read the freed operation (ASan:
// heap-use-after-free).
BOOST_AUTO_TEST_CASE(timers_on_strands_race_completions) {
  constexpr std::size_t lanes = 32, rounds = 3200; // 102,400 reads
  constexpr std::size_t file_blocks = 64;
  scratch s;
  write_file(s.path("data"), pattern(file_blocks * block, 7));
  auf::file f(s.path("data"), auf::file::read_only);
  test_context ctx(2);
  auf::fixed_buffer_pool pool(ctx, lanes, block);
  race_totals t;
  std::vector<std::unique_ptr<lane>> all;
  for (std::size_t i = 0; i < lanes; ++i) {
    all.push_back(std::make_unique<lane>(ctx, static_cast<unsigned>(i + 1), rounds));
    lane& l = *all.back();
    asio::post(l.strand, [&l, &f, &t, b = pool.try_acquire()]() mutable {
      next_round(l, f, std::move(b), t, file_blocks);
    });
  }
  std::thread second([&] { ctx.run(); });
  ctx.run();
  second.join();
  BOOST_TEST(t.completed.load() == lanes * rounds);
  BOOST_TEST(t.wrong.load() == 0u);
  BOOST_TEST(t.outside_strand.load() == 0u);
  BOOST_TEST_MESSAGE(t.aborted.load() << " of " << t.completed.load() << " reads aborted");
  BOOST_TEST(pool.available() == lanes); // every lease back
}

// Emitting long after the operation finished is harmless: the slot still
// holds the library's handler, whose key no longer matches anything.
BOOST_AUTO_TEST_CASE(emit_after_completion_is_harmless) {
  scratch s;
  write_file(s.path("data"), pattern(block, 2));
  auf::file f(s.path("data"), auf::file::read_only);
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 2, block);
  asio::cancellation_signal signal;
  std::size_t n_out = 0;
  auf::async_read_fixed_at(
      f, 0, pool.try_acquire(),
      asio::bind_cancellation_slot(signal.slot(),
                                   [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                     BOOST_TEST(!ec);
                                     n_out = n;
                                   }));
  ctx.run();
  BOOST_TEST(n_out == block);
  // Another operation has reused the memory of the first by now.
  std::size_t second = 0;
  auf::async_read_fixed_at(f, 0, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                             BOOST_TEST(!ec);
                             second = n;
                           });
  signal.emit(asio::cancellation_type::terminal);
  ctx.restart();
  ctx.run();
  BOOST_TEST(second == block);
  BOOST_TEST(pool.available() == 2u);
}

namespace {

/// A cancellation slot that is connected but cannot take a handler.
struct throwing_slot {
  bool is_connected() const noexcept { return true; }
  void clear() noexcept {}
  template <typename CancellationHandler, typename... Args>
  CancellationHandler& emplace(Args&&...) {
    throw std::bad_alloc();
  }
};

struct handler_with_throwing_slot {
  std::shared_ptr<int> calls;
  using cancellation_slot_type = throwing_slot;
  cancellation_slot_type get_cancellation_slot() const noexcept { return {}; }
  void operator()(auf::error_code, std::size_t, auf::fixed_buffer) { ++*calls; }
};

} // namespace

// Defect 5. Before the fix the operation made before the slot threw was
// never freed: its lease stayed out of the pool, its tracked work kept
// run() from returning (the run_for below timed out), LSan reported it.
BOOST_AUTO_TEST_CASE(a_slot_that_throws_leaks_nothing) {
  scratch s;
  write_file(s.path("data"), pattern(block, 3));
  auf::file f(s.path("data"), auf::file::read_only);
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, block);
  auto calls = std::make_shared<int>(0);
  BOOST_CHECK_THROW(
      auf::async_read_fixed_at(f, 0, pool.try_acquire(), handler_with_throwing_slot{calls}),
      std::bad_alloc);
  BOOST_TEST(pool.available() == 1u);    // the lease came back with the operation
  ctx.run_for(std::chrono::seconds(10)); // returns at once: no work was leaked
  BOOST_TEST(ctx.stopped());
  BOOST_TEST(*calls == 0);
  BOOST_TEST(calls.use_count() == 1); // the handler was destroyed
}

namespace {

/// A session whose arena provides the memory of its own operations; the
/// handler holds the only reference to the session.
struct session {
  alignas(std::max_align_t) std::array<std::byte, 4096> arena;
  bool in_use = false;
  std::atomic<int>* live;
  explicit session(std::atomic<int>* l) : live(l) { ++*live; }
  ~session() {
    std::memset(arena.data(), 0xdd, arena.size()); // what freed memory looks like
    --*live;
  }
};

template <typename T>
struct arena_allocator {
  using value_type = T;
  session* owner;
  explicit arena_allocator(session* s) noexcept : owner(s) {}
  template <typename U>
  arena_allocator(const arena_allocator<U>& o) noexcept : owner(o.owner) {}
  T* allocate(std::size_t n) {
    BOOST_REQUIRE(!owner->in_use && n * sizeof(T) <= owner->arena.size());
    owner->in_use = true;
    return reinterpret_cast<T*>(owner->arena.data());
  }
  void deallocate(T*, std::size_t) noexcept {
    // Reading the session: a use-after-free if it is gone (ASan).
    owner->in_use = false;
  }
  template <typename U>
  bool operator==(const arena_allocator<U>& o) const noexcept {
    return owner == o.owner;
  }
};

struct session_handler {
  std::shared_ptr<session> s;
  std::atomic<int>* calls;
  using allocator_type = arena_allocator<void>;
  allocator_type get_allocator() const noexcept { return allocator_type(s.get()); }
  void operator()(auf::error_code, std::size_t, auf::fixed_buffer) { ++*calls; }
};

} // namespace

// Defect 2. Before the fix the destroy path ran ~Op() (and with it the
// handler, the session's last owner) before deallocating with the copied
// allocator, which then wrote into the freed session (ASan:
// heap-use-after-free in arena_allocator::deallocate).
BOOST_AUTO_TEST_CASE(handler_owned_arena_on_the_destroy_path) {
  std::atomic<int> live{0}, calls{0};
  pipe_pair p; // a read on it stays in flight until shutdown
  {
    test_context ctx;
    auf::fixed_buffer_pool pool(ctx, 4, block);
    for (int i = 0; i < 4; ++i)
      auf::async_read_fixed_at(p.read_end, 0, pool.try_acquire(),
                               session_handler{std::make_shared<session>(&live), &calls});
    ctx.run_for(std::chrono::milliseconds(20));
    BOOST_TEST(live.load() == 4);
  } // shutdown: the handlers are destroyed, not called
  BOOST_TEST(calls.load() == 0);
  BOOST_TEST(live.load() == 0);
}

BOOST_AUTO_TEST_CASE(handler_owned_arena_on_the_complete_path) {
  std::atomic<int> live{0}, calls{0};
  scratch s;
  write_file(s.path("data"), pattern(block, 4));
  auf::file f(s.path("data"), auf::file::read_only);
  test_context ctx;
  auf::fixed_buffer_pool pool(ctx, 4, block);
  for (int i = 0; i < 4; ++i)
    auf::async_read_fixed_at(f, 0, pool.try_acquire(),
                             session_handler{std::make_shared<session>(&live), &calls});
  ctx.run();
  BOOST_TEST(calls.load() == 4);
  BOOST_TEST(live.load() == 0);
  BOOST_TEST(pool.available() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

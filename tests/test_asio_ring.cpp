// Asio-ring mode on standalone Asio master patched by upstream-proposal/patches/
// (built only with ASIO_URING_FIXED_ASIO_RING=ON and the standalone flavour):
// a request that finds Asio's submission queue full waits in the library
// instead of failing with ENOBUFS, and can still be cancelled there.
//
// The program interposes liburing's io_uring_submit(): while `refuse` is set,
// it fails as a busy kernel does (-EBUSY) without consuming anything, so the
// small submission queue configured below fills up deterministically.
#include "support.hpp"

#include <dlfcn.h>
#include <liburing.h>

#include <cstdlib>
#include <string>

using namespace test;

namespace {

std::atomic<bool> refuse{false};
std::atomic<int> refused{0};

constexpr std::size_t block = 4096;
constexpr std::size_t reads = 32;

/// A context with an 8-entry submission queue per ring (and the ring count
/// from ASIO_REACTOR_IO_URING_RING_COUNT, as the other tests).
std::string small_ring_config() {
  std::string config = "reactor.io_uring_ring_size=8\n";
  if (const char* rings = std::getenv("ASIO_REACTOR_IO_URING_RING_COUNT"))
    config += std::string("reactor.io_uring_ring_count=") + rings + "\n";
  return config;
}

struct read_result {
  int calls = 0;
  auf::error_code ec;
  std::size_t n = 0;
};

} // namespace

extern "C" int io_uring_submit(struct io_uring* ring) {
  using submit_fn = int (*)(struct io_uring*);
  static submit_fn real = reinterpret_cast<submit_fn>(::dlsym(RTLD_NEXT, "io_uring_submit"));
  if (refuse.load()) {
    refused.fetch_add(1);
    return -EBUSY;
  }
  return real(ring);
}

BOOST_AUTO_TEST_SUITE(asio_ring)

BOOST_AUTO_TEST_CASE(a_full_submission_queue_makes_requests_wait_not_fail,
                     *boost::unit_test::precondition(needs_asio_ring)) {
  scratch s;
  auto data = pattern(reads * block, 5);
  write_file(s.path("data"), data);
  asio::io_context ctx{asio::config_from_string(small_ring_config())};
  auf::fixed_buffer_pool pool(ctx, reads, block);
  BOOST_REQUIRE(pool.registered());
  auf::file f(s.path("data"), auf::file::read_only);

  std::vector<read_result> results(reads);
  std::vector<std::vector<std::byte>> got(reads);
  asio::cancellation_signal cancel_last;
  refuse = true;
  for (std::size_t i = 0; i < reads; ++i) {
    auto handler = [&, i](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
      ++results[i].calls;
      results[i].ec = ec;
      results[i].n = n;
      got[i].assign(b.data(), b.data() + n);
    };
    if (i + 1 == reads)
      auf::async_read_fixed_at(f, i * block, pool.try_acquire(),
                               asio::bind_cancellation_slot(cancel_last.slot(), handler));
    else
      auf::async_read_fixed_at(f, i * block, pool.try_acquire(), handler);
  }
  for (int i = 0; i < 5; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
  BOOST_TEST(refused.load() > 0); // Asio did find its queue full

  // Nothing has reached the kernel, and nothing failed for lack of room.
  std::size_t called = 0;
  for (const auto& r : results)
    called += r.calls;
  BOOST_TEST(called == 0u);

  // The last read cannot have found room in 8 entries: it waits in the
  // library, and a cancellation completes it there.
  cancel_last.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 100 && results[reads - 1].calls == 0; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
  BOOST_TEST(results[reads - 1].calls == 1);
  BOOST_TEST(results[reads - 1].ec == asio::error::operation_aborted);

  refuse = false;
  ctx.restart();
  ctx.run();
  for (std::size_t i = 0; i + 1 < reads; ++i) {
    BOOST_TEST_CONTEXT("read " << i) {
      BOOST_TEST(results[i].calls == 1);
      BOOST_TEST(!results[i].ec, results[i].ec.message());
      BOOST_TEST(results[i].n == block);
      BOOST_TEST((got[i] == std::vector<std::byte>(data.begin() + i * block,
                                                   data.begin() + (i + 1) * block)));
    }
  }
  BOOST_TEST(pool.available() == reads); // every lease came back
}

BOOST_AUTO_TEST_CASE(shutdown_with_requests_waiting_for_room,
                     *boost::unit_test::precondition(needs_asio_ring)) {
  scratch s;
  write_file(s.path("data"), pattern(reads * block, 6));
  int calls = 0;
  {
    asio::io_context ctx{asio::config_from_string(small_ring_config())};
    auf::fixed_buffer_pool pool(ctx, reads, block);
    auf::file f(s.path("data"), auf::file::read_only);
    refuse = true;
    for (std::size_t i = 0; i < reads; ++i)
      auf::async_read_fixed_at(f, i * block, pool.try_acquire(),
                               [&](auf::error_code, std::size_t, auf::fixed_buffer) { ++calls; });
    for (int i = 0; i < 5; ++i)
      ctx.run_for(std::chrono::milliseconds(10));
    refuse = false;
    // Destroyed with requests in Asio's queue and in the library's: none may
    // leak (LeakSanitizer) or call its handler.
  }
  BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_SUITE_END()

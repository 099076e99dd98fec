#include "support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <algorithm>
#include <functional>

using namespace test;

namespace {

struct fixture {
  scratch s;
  test_context ctx;
};

/// Copies src to dst in steps of `block` with `depth` steps in flight.
void copy_file(asio::io_context& ctx, auf::fixed_buffer_pool& pool, auf::file& src, auf::file& dst,
               std::uint64_t size, std::size_t block, int depth,
               std::vector<auf::error_code>& errors, std::uint64_t& copied) {
  std::uint64_t next = 0;
  std::function<void(auf::fixed_buffer)> step = [&](auf::fixed_buffer b) {
    if (next >= size)
      return;
    std::uint64_t at = next;
    next += block;
    auf::async_copy_fixed_at(src, at, dst, at, std::move(b),
                             [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer b) {
                               if (ec)
                                 errors.push_back(ec);
                               copied += p.written;
                               step(std::move(b));
                             });
  };
  for (int i = 0; i < depth; ++i)
    step(pool.try_acquire());
  ctx.run();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(copy_fixed, fixture)

BOOST_AUTO_TEST_CASE(whole_file_with_unaligned_tail) {
  // 10 full blocks and a tail: the last step's read comes back short, the
  // kernel breaks the link, and exactly the tail is written.
  const std::size_t block = 64 * 1024;
  auto data = pattern(10 * block + 1234, 5);
  write_file(s.path("src"), data);
  auf::file src(s.path("src"), auf::file::read_only);
  auf::file dst(s.path("dst"), auf::file::write_only | auf::file::create | auf::file::truncate);
  auf::fixed_buffer_pool pool(ctx, 4, block);
  std::vector<auf::error_code> errors;
  std::uint64_t copied = 0;
  copy_file(ctx, pool, src, dst, data.size(), block, 4, errors, copied);
  BOOST_TEST(errors.empty());
  BOOST_TEST(copied == data.size());
  BOOST_TEST(same(read_file(s.path("dst")), data));
  BOOST_TEST(pool.available() == 4u);
}

BOOST_AUTO_TEST_CASE(step_past_the_end_is_eof_and_writes_nothing) {
  auto data = pattern(1000, 6);
  write_file(s.path("src"), data);
  auf::file src(s.path("src"), auf::file::read_only);
  auf::file dst(s.path("dst"), auf::file::write_only | auf::file::create | auf::file::truncate);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::error_code result;
  std::size_t n_out = 1;
  auf::async_copy_fixed_at(src, 4096, dst, 0, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
                             result = ec;
                             n_out = p.written;
                           });
  ctx.run();
  BOOST_TEST((result == asio::error::eof));
  BOOST_TEST(n_out == 0u);
  BOOST_TEST(dst.size() == 0u);
}

BOOST_AUTO_TEST_CASE(short_read_writes_exactly_what_was_read) {
  auto data = pattern(5000, 8);
  write_file(s.path("src"), data);
  auf::file src(s.path("src"), auf::file::read_only);
  auf::file dst(s.path("dst"), auf::file::read_write | auf::file::create | auf::file::truncate);
  auf::fixed_buffer_pool pool(ctx, 1, 8192);
  std::size_t n_out = 0;
  auf::error_code result;
  auf::async_copy_fixed_at(src, 1000, dst, 50, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer b) {
                             result = ec;
                             n_out = p.written;
                             BOOST_TEST(b.size() == 8192u); // range handed back unchanged
                           });
  ctx.run();
  BOOST_TEST(!result);
  BOOST_TEST(n_out == 4000u);
  auto out = read_file(s.path("dst"));
  BOOST_REQUIRE(out.size() == 4050u);
  BOOST_TEST(same(std::span(out).subspan(50), std::span(data).subspan(1000)));
}

BOOST_AUTO_TEST_CASE(write_error_is_reported) {
  auto data = pattern(4096, 9);
  write_file(s.path("src"), data);
  write_file(s.path("ro"), data);
  auf::file src(s.path("src"), auf::file::read_only);
  auf::file ro(s.path("ro"), auf::file::read_only);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::error_code result;
  std::size_t n_out = 1;
  auf::async_copy_fixed_at(src, 0, ro, 0, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
                             result = ec;
                             n_out = p.written;
                           });
  ctx.run();
  BOOST_TEST(result.value() == EBADF);
  BOOST_TEST(n_out == 0u);
  BOOST_TEST(pool.available() == 1u);
}

BOOST_AUTO_TEST_CASE(read_error_is_reported) {
  auf::file dst(s.path("dst"), auf::file::write_only | auf::file::create);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::error_code result;
  auf::async_copy_fixed_at(
      -1, 0, dst, 0, pool.try_acquire(),
      [&](auf::error_code ec, auf::copy_progress, auf::fixed_buffer) { result = ec; });
  ctx.run();
  BOOST_TEST(result.value() == EBADF);
  BOOST_TEST(dst.size() == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_a_blocked_step) {
  pipe_pair p;
  auf::file dst(s.path("dst"), auf::file::write_only | auf::file::create);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  asio::cancellation_signal signal;
  auf::error_code result;
  std::size_t n_out = 1;
  auf::async_copy_fixed_at(
      p.read_end, 0, dst, 0, pool.try_acquire(),
      asio::bind_cancellation_slot(
          signal.slot(), [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
            result = ec;
            n_out = p.written;
          }));
  asio::steady_timer t(ctx, std::chrono::milliseconds(50));
  t.async_wait([&](auf::error_code) { signal.emit(asio::cancellation_type::terminal); });
  ctx.run();
  BOOST_TEST((result == asio::error::operation_aborted));
  BOOST_TEST(n_out == 0u);
  BOOST_TEST(dst.size() == 0u);
  BOOST_TEST(pool.available() == 1u);
}

BOOST_AUTO_TEST_CASE(short_read_from_a_pipe_then_write) {
  // A pipe returns what is there: a short read that breaks the link.
  pipe_pair p;
  BOOST_REQUIRE(::write(p.write_end, "0123456789", 10) == 10);
  auf::file dst(s.path("dst"), auf::file::read_write | auf::file::create);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  std::size_t n_out = 0;
  auf::error_code result;
  auf::async_copy_fixed_at(p.read_end, 0, dst, 0, pool.try_acquire(),
                           [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
                             result = ec;
                             n_out = p.written;
                           });
  ctx.run();
  BOOST_TEST(!result);
  BOOST_TEST(n_out == 10u);
  auto out = read_file(s.path("dst"));
  BOOST_TEST(std::string(reinterpret_cast<const char*>(out.data()), out.size()) == "0123456789");
}

namespace {

/// Copies src to dst (both O_DIRECT) in steps of `block`, 2 in flight, each
/// step with pad_tail_to = the alignment: the way to copy a whole O_DIRECT
/// file of any size through the library.
std::vector<auf::error_code> copy_direct(asio::io_context& ctx, auf::fixed_buffer_pool& pool,
                                         auf::file& src, auf::file& dst, std::uint64_t size,
                                         std::size_t block, std::size_t align) {
  std::vector<auf::error_code> errors;
  std::uint64_t next = 0;
  std::function<void(auf::fixed_buffer)> step = [&](auf::fixed_buffer b) {
    if (next >= size)
      return;
    std::uint64_t at = next;
    next += block;
    auf::async_copy_fixed_at(
        src, at, dst, at, std::move(b), auf::copy_options{.pad_tail_to = align},
        [&, at](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer b) {
          if (ec)
            errors.push_back(ec);
          else if (p.written != std::min<std::uint64_t>(block, size - at))
            errors.push_back(make_error_code(auf::errc::no_progress));
          step(std::move(b));
        });
  };
  for (int i = 0; i < 2; ++i)
    step(pool.try_acquire());
  ctx.run();
  return errors;
}

} // namespace

// Defect 8: a copy step with O_DIRECT and a tail that is not a multiple of
// the alignment failed with EINVAL (the write of the tail's exact length is
// refused). With copy_options::pad_tail_to the tail is written padded and
// the destination truncated to the source's size.
BOOST_TEST_DECORATOR(*boost::unit_test::precondition(needs_direct_io))
BOOST_DATA_TEST_CASE_F(fixture, direct_copy_of_any_size,
                       boost::unit_test::data::make({std::size_t{1}, std::size_t{4095},
                                                     std::size_t{4097}, std::size_t{(1u << 20) + 1},
                                                     std::size_t{3u << 20}}),
                       size) {
  auto data = pattern(size, 12);
  write_file(s.path("src"), data);
  auf::file src(s.path("src"), auf::file::read_only | auf::file::direct);
  auf::file dst(s.path("dst"), auf::file::read_write | auf::file::create | auf::file::truncate |
                                   auf::file::direct);
  std::size_t align = std::max(src.direct_alignment(), dst.direct_alignment());
  BOOST_REQUIRE(align > 0u);
  const std::size_t block = 1 << 20;
  auf::fixed_buffer_pool pool(ctx, 2, block);
  auto errors = copy_direct(ctx, pool, src, dst, size, block, align);
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front().message()));
  BOOST_TEST(dst.size() == size);
  BOOST_TEST(same(read_file(s.path("dst")), data));
  BOOST_TEST(pool.available() == 2u);
}

BOOST_AUTO_TEST_CASE(pad_tail_to_must_divide_the_range) {
  auf::file src(s.path("src"), auf::file::read_write | auf::file::create);
  auf::file dst(s.path("dst"), auf::file::read_write | auf::file::create);
  auf::fixed_buffer_pool pool(ctx, 1, 8192);
  int results = 0;
  for (std::size_t pad : {std::size_t{3000}, std::size_t{16384}}) {
    auf::async_copy_fixed_at(src, 0, dst, 0, pool.try_acquire(),
                             auf::copy_options{.pad_tail_to = pad},
                             [&](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer b) {
                               BOOST_TEST((ec == auf::errc::invalid_option));
                               BOOST_TEST((p == auf::copy_progress{}));
                               BOOST_TEST(bool(b));
                               ++results;
                             });
    ctx.run();
    ctx.restart();
  }
  BOOST_TEST(results == 2);
}

BOOST_AUTO_TEST_CASE(offsets_beyond_int64_max_are_refused) {
  auf::file src(s.path("src"), auf::file::read_write | auf::file::create);
  auf::file dst(s.path("dst"), auf::file::read_write | auf::file::create);
  auf::fixed_buffer_pool pool(ctx, 1, 4096);
  auf::error_code got;
  auf::async_copy_fixed_at(
      src, 0, dst, ~std::uint64_t{0}, pool.try_acquire(),
      [&](auf::error_code ec, auf::copy_progress, auf::fixed_buffer) { got = ec; });
  ctx.run();
  BOOST_TEST((got == auf::errc::invalid_offset));
  BOOST_TEST(dst.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

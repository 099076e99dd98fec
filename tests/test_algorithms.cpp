// The composed operations' policies, without a backend: detail::transfer_all
// (the _all forms) and detail::copy_step (async_copy_fixed_at) are told each
// request's result and say what to do next.
#include "support.hpp"

#include <asio_uring_fixed/detail/copy_step.hpp>
#include <asio_uring_fixed/detail/transfer_all.hpp>

#include <cerrno>

using namespace test;
using auf::detail::copy_step;
using auf::detail::transfer_all;

namespace {
using action = copy_step::action;
auto never_at_end = [] { return false; };
auto at_end = [] { return true; };
} // namespace

BOOST_AUTO_TEST_SUITE(algorithms)

BOOST_AUTO_TEST_CASE(transfer_all_continues_short_transfers) {
  transfer_all t(transfer_all::direction::read, 10000);
  auto s = t.start();
  BOOST_TEST(!s.done);
  BOOST_TEST(s.offset == 0u);
  BOOST_TEST(s.length == 10000u);
  s = t.on_result(4096, false);
  BOOST_TEST(!s.done);
  BOOST_TEST(s.offset == 4096u);
  BOOST_TEST(s.length == 10000u - 4096u);
  s = t.on_result(10000 - 4096, false);
  BOOST_TEST(s.done);
  BOOST_TEST(!s.ec);
  BOOST_TEST(t.transferred() == 10000u);
}

BOOST_AUTO_TEST_CASE(transfer_all_zero_is_eof_for_reads_no_progress_for_writes) {
  transfer_all r(transfer_all::direction::read, 100);
  r.on_result(40, false);
  auto s = r.on_result(0, false);
  BOOST_TEST(s.done);
  BOOST_TEST((s.ec == asio::error::eof));
  BOOST_TEST(r.transferred() == 40u);
  transfer_all w(transfer_all::direction::write, 100);
  s = w.on_result(0, false);
  BOOST_TEST(s.done);
  BOOST_TEST((s.ec == auf::errc::no_progress));
}

BOOST_AUTO_TEST_CASE(transfer_all_retries_transient_errors_eight_times) {
  transfer_all t(transfer_all::direction::write, 100);
  for (int i = 0; i < 8; ++i) {
    auto s = t.on_result(i % 2 ? -EINTR : -EAGAIN, false);
    BOOST_TEST(!s.done);
    BOOST_TEST(s.offset == 0u);
  }
  auto s = t.on_result(-EAGAIN, false);
  BOOST_TEST(s.done);
  BOOST_TEST(s.ec.value() == EAGAIN);
  // Progress resets the count.
  transfer_all u(transfer_all::direction::write, 100);
  for (int i = 0; i < 8; ++i)
    u.on_result(-EINTR, false);
  BOOST_TEST(!u.on_result(10, false).done);
  BOOST_TEST(!u.on_result(-EINTR, false).done);
}

BOOST_AUTO_TEST_CASE(transfer_all_stops_when_cancelled) {
  transfer_all t(transfer_all::direction::read, 100);
  auto s = t.on_result(30, true); // progress, but cancellation was asked for
  BOOST_TEST(s.done);
  BOOST_TEST((s.ec == asio::error::operation_aborted));
  BOOST_TEST(t.transferred() == 30u);
  transfer_all u(transfer_all::direction::read, 100);
  s = u.on_result(-EINTR, true); // io-wq's EINTR after a cancel is an abort
  BOOST_TEST((s.ec == asio::error::operation_aborted));
  transfer_all v(transfer_all::direction::read, 100);
  s = v.on_result(100, true); // finished anyway: success
  BOOST_TEST(s.done);
  BOOST_TEST(!s.ec);
}

BOOST_AUTO_TEST_CASE(copy_step_full_pair_is_done) {
  copy_step c(4096, 0);
  BOOST_TEST(c.start().kind == action::submit_pair);
  auto a = c.on_pair(4096, 4096, false, never_at_end);
  BOOST_TEST(a.kind == action::done);
  BOOST_TEST(!a.ec);
  BOOST_TEST((c.progress() == auf::copy_progress{4096, 4096, auf::copy_side::none}));
}

BOOST_AUTO_TEST_CASE(copy_step_short_read_writes_what_was_read) {
  copy_step c(4096, 0);
  auto a = c.on_pair(1000, -ECANCELED, false, never_at_end);
  BOOST_TEST(a.kind == action::submit_write);
  BOOST_TEST(a.offset == 0u);
  BOOST_TEST(a.length == 1000u);
  BOOST_TEST(a.zero_to == a.zero_from); // nothing to pad
  a = c.on_write(600, false);
  BOOST_TEST(a.kind == action::submit_write);
  BOOST_TEST(a.offset == 600u);
  BOOST_TEST(a.length == 400u);
  a = c.on_write(400, false);
  BOOST_TEST(a.kind == action::done);
  BOOST_TEST((c.progress() == auf::copy_progress{1000, 1000, auf::copy_side::none}));
}

BOOST_AUTO_TEST_CASE(copy_step_says_which_half_failed) {
  copy_step r(4096, 0);
  auto a = r.on_pair(-EIO, -ECANCELED, false, never_at_end);
  BOOST_TEST(a.kind == action::done);
  BOOST_TEST(a.ec.value() == EIO);
  BOOST_TEST((r.progress() == auf::copy_progress{0, 0, auf::copy_side::read}));
  copy_step w(4096, 0);
  a = w.on_pair(4096, -EIO, false, never_at_end);
  BOOST_TEST(a.ec.value() == EIO);
  BOOST_TEST((w.progress() == auf::copy_progress{4096, 0, auf::copy_side::write}));
  copy_step e(4096, 0);
  a = e.on_pair(0, -ECANCELED, false, never_at_end);
  BOOST_TEST((a.ec == asio::error::eof));
  BOOST_TEST((e.progress().failed == auf::copy_side::read));
  copy_step z(4096, 0);
  a = z.on_pair(4096, 0, false, never_at_end);
  BOOST_TEST((a.ec == auf::errc::no_progress));
  BOOST_TEST((z.progress().failed == auf::copy_side::write));
}

BOOST_AUTO_TEST_CASE(copy_step_retries_the_pair_after_a_transient_read) {
  copy_step c(4096, 0);
  for (int i = 0; i < 8; ++i)
    BOOST_TEST(c.on_pair(-EAGAIN, -ECANCELED, false, never_at_end).kind == action::submit_pair);
  auto a = c.on_pair(-EAGAIN, -ECANCELED, false, never_at_end);
  BOOST_TEST(a.kind == action::done);
  BOOST_TEST(a.ec.value() == EAGAIN);
}

BOOST_AUTO_TEST_CASE(copy_step_pads_and_truncates_a_tail_at_the_source_end) {
  copy_step c(8192, 4096);
  auto a = c.on_pair(4097, -ECANCELED, false, at_end);
  BOOST_TEST(a.kind == action::submit_write);
  BOOST_TEST(a.length == 8192u);    // padded to the alignment
  BOOST_TEST(a.zero_from == 4097u); // zeros after the data
  BOOST_TEST(a.zero_to == 8192u);
  a = c.on_write(8192, false);
  BOOST_TEST(a.kind == action::truncate);
  a = c.on_truncated({});
  BOOST_TEST(a.kind == action::done);
  BOOST_TEST(!a.ec);
  BOOST_TEST((c.progress() == auf::copy_progress{4097, 4097, auf::copy_side::none}));
  // Not at the source's end: no padding, exactly the bytes read.
  copy_step m(8192, 4096);
  a = m.on_pair(4097, -ECANCELED, false, never_at_end);
  BOOST_TEST(a.length == 4097u);
  // Aligned tails need no padding.
  copy_step q(8192, 4096);
  a = q.on_pair(4096, -ECANCELED, false, at_end);
  BOOST_TEST(a.length == 4096u);
  BOOST_TEST(q.on_write(4096, false).kind == action::done);
}

BOOST_AUTO_TEST_CASE(copy_step_cancelled_mid_way) {
  copy_step c(4096, 0);
  auto a = c.on_pair(1000, -ECANCELED, true, never_at_end);
  BOOST_TEST((a.ec == asio::error::operation_aborted));
  BOOST_TEST((c.progress() == auf::copy_progress{1000, 0, auf::copy_side::write}));
  copy_step d(4096, 0);
  d.on_pair(4096, 1000, false, never_at_end);
  a = d.on_write(1000, true);
  BOOST_TEST((a.ec == asio::error::operation_aborted));
  BOOST_TEST((d.progress() == auf::copy_progress{4096, 2000, auf::copy_side::write}));
}

BOOST_AUTO_TEST_SUITE_END()

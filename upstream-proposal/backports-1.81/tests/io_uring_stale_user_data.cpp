//
// io_uring_stale_user_data.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0002: once the submission ring has wrapped, an SQE for which
// the service sets no user data (a cancellation) must not report its
// completion to whichever operation last used that SQE slot.
//
// Object b performs more reads than there are SQ entries, so that every SQE
// slot last carried b's read queue as user data. Then b starts a read that
// cannot complete (empty FIFO), and a pending read on object a is cancelled.
// The cancellation's CQE must not complete b's read.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/io_context.hpp>
#include <boost/asio/stream_file.hpp>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace io_uring_stale_user_data {

using boost::asio::io_context;
using boost::asio::stream_file;

void cancel_after_ring_wrap()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo_a, fifo_b;
  io_context ctx;
  stream_file a(ctx, fifo_a.path(), stream_file::read_write);
  stream_file b(ctx, fifo_b.path(), stream_file::read_write);

  // Wrap the submission ring with reads on b. Each read is satisfied at once.
  long sq_entries = test_support::fdinfo_field(
      test_support::io_uring_fdinfo(), "SqMask") + 1;
  if (sq_entries <= 0)
    sq_entries = 16384; // Asio 1.26's ring size.
  long warmup = sq_entries + 1024;
  long completed = 0;
  char c = 0;
  for (long i = 0; i < warmup; ++i)
  {
    BOOST_ASIO_CHECK(::write(b.native_handle(), "x", 1) == 1);
    b.async_read_some(boost::asio::buffer(&c, 1),
        [&](boost::system::error_code e, std::size_t n)
        {
          if (!e && n == 1)
            ++completed;
        });
    ctx.restart();
    ctx.run();
  }
  BOOST_ASIO_CHECK(completed == warmup);

  bool b_called = false;
  boost::system::error_code b_ec;
  std::size_t b_n = 0;
  char b_data = 0;
  b.async_read_some(boost::asio::buffer(&b_data, 1),
      [&](boost::system::error_code e, std::size_t n)
      {
        b_called = true;
        b_ec = e;
        b_n = n;
      });

  bool a_called = false;
  boost::system::error_code a_ec;
  char a_data = 0;
  a.async_read_some(boost::asio::buffer(&a_data, 1),
      [&](boost::system::error_code e, std::size_t)
      {
        a_called = true;
        a_ec = e;
      });

  ctx.restart();
  ctx.poll();
  BOOST_ASIO_CHECK(!a_called);
  BOOST_ASIO_CHECK(!b_called);

  a.cancel();
  ctx.restart();
  for (int i = 0; i < 100 && !a_called; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
  ctx.restart();
  ctx.run_for(std::chrono::milliseconds(50));

  BOOST_ASIO_CHECK(a_called);
  BOOST_ASIO_CHECK(a_ec == boost::asio::error::operation_aborted);
  BOOST_ASIO_CHECK_MESSAGE(!b_called,
      "b's read completed although nothing was written to its FIFO: "
      << b_ec.message() << ", " << b_n << " bytes");

  // b's read is still pending and completes with the data written now.
  BOOST_ASIO_CHECK(::write(b.native_handle(), "y", 1) == 1);
  ctx.restart();
  for (int i = 0; i < 100 && !b_called; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
  BOOST_ASIO_CHECK(b_called);
  BOOST_ASIO_CHECK(!b_ec);
  BOOST_ASIO_CHECK(b_n == 1);
  BOOST_ASIO_CHECK(b_data == 'y');
}

} // namespace io_uring_stale_user_data

BOOST_ASIO_TEST_SUITE
(
  "io_uring_stale_user_data",
  BOOST_ASIO_TEST_CASE(io_uring_stale_user_data::cancel_after_ring_wrap)
)

//
// io_uring_close_pending.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0003: closing (or destroying) an I/O object while one of its
// operations is still in the kernel must complete that operation with
// operation_aborted, and must not let the per-object state, still referenced
// by the kernel's completion, be reused by the next I/O object.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/io_context.hpp>
#include <boost/asio/stream_file.hpp>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace io_uring_close_pending {

using boost::asio::io_context;
using boost::asio::stream_file;

struct read_result
{
  read_result() : called(false), n(0), data(0) {}
  bool called;
  boost::system::error_code ec;
  std::size_t n;
  char data;
};

void start_read(stream_file& f, read_result& r)
{
  f.async_read_some(boost::asio::buffer(&r.data, 1),
      [&r](boost::system::error_code e, std::size_t n)
      {
        r.called = true;
        r.ec = e;
        r.n = n;
      });
}

void run_until(io_context& ctx, const bool& done)
{
  ctx.restart();
  for (int i = 0; i < 100 && !done; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
}

// Close a, open c (which receives a's recycled per-object state and, being
// opened next, a's descriptor number), and check that each read sees only
// its own file.
void check_close_then_reuse(bool destroy)
{
  test_support::temp_fifo fifo_a, fifo_c;
  io_context ctx;

  read_result ra, rc;
  stream_file* a = new stream_file(ctx, fifo_a.path(), stream_file::read_write);
  start_read(*a, ra);
  ctx.poll();
  BOOST_ASIO_CHECK(!ra.called);

  if (destroy)
  {
    delete a;
    a = 0;
  }
  else
  {
    a->close();
  }

  stream_file c(ctx, fifo_c.path(), stream_file::read_write);
  start_read(c, rc);

  // a's read must be reported as aborted without any data arriving.
  run_until(ctx, ra.called);
  BOOST_ASIO_CHECK(ra.called);
  BOOST_ASIO_CHECK_MESSAGE(ra.ec == boost::asio::error::operation_aborted,
      "closed object's read completed with: " << ra.ec.message());
  BOOST_ASIO_CHECK(!rc.called);

  // Data for c must go to c's read, not to a's.
  BOOST_ASIO_CHECK(::write(c.native_handle(), "C", 1) == 1);
  run_until(ctx, rc.called);
  BOOST_ASIO_CHECK_MESSAGE(rc.called, "new object's read never completed");
  BOOST_ASIO_CHECK(!rc.ec);
  BOOST_ASIO_CHECK(rc.n == 1);
  BOOST_ASIO_CHECK(rc.data == 'C');
  BOOST_ASIO_CHECK_MESSAGE(ra.data == 0,
      "closed object's buffer received data meant for another file");

  delete a;
}

void close_with_pending_read()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  check_close_then_reuse(false);
}

void destroy_with_pending_read()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  check_close_then_reuse(true);
}

// Many objects closed with pending reads, each followed by a new object that
// must work normally, all before the context runs again.
void close_many_with_pending_reads()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  const int count = 16;
  test_support::temp_fifo fifos[count];
  io_context ctx;

  read_result closed[count], fresh[count];
  stream_file* fresh_files[count];
  for (int i = 0; i < count; ++i)
  {
    stream_file f(ctx, fifos[i].path(), stream_file::read_write);
    start_read(f, closed[i]);
    ctx.restart();
    ctx.poll();
  } // Each f is destroyed with its read pending.

  for (int i = 0; i < count; ++i)
  {
    fresh_files[i] = new stream_file(ctx,
        fifos[i].path(), stream_file::read_write);
    start_read(*fresh_files[i], fresh[i]);
  }
  for (int i = 0; i < count; ++i)
    BOOST_ASIO_CHECK(::write(fresh_files[i]->native_handle(), "z", 1) == 1);

  ctx.restart();
  for (int i = 0; i < 100; ++i)
  {
    bool all = true;
    for (int j = 0; j < count; ++j)
      all = all && closed[j].called && fresh[j].called;
    if (all)
      break;
    ctx.run_for(std::chrono::milliseconds(10));
  }

  for (int i = 0; i < count; ++i)
  {
    BOOST_ASIO_CHECK(closed[i].called);
    BOOST_ASIO_CHECK(closed[i].ec == boost::asio::error::operation_aborted);
    BOOST_ASIO_CHECK(fresh[i].called);
    BOOST_ASIO_CHECK(!fresh[i].ec);
    BOOST_ASIO_CHECK(fresh[i].data == 'z');
    delete fresh_files[i];
  }
}

} // namespace io_uring_close_pending

BOOST_ASIO_TEST_SUITE
(
  "io_uring_close_pending",
  BOOST_ASIO_TEST_CASE(io_uring_close_pending::close_with_pending_read)
  BOOST_ASIO_TEST_CASE(io_uring_close_pending::destroy_with_pending_read)
  BOOST_ASIO_TEST_CASE(io_uring_close_pending::close_many_with_pending_reads)
)

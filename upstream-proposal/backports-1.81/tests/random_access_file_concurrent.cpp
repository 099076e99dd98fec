//
// random_access_file_concurrent.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0008: positional operations (async_read_some_at and
// async_write_some_at) on one random_access_file are all submitted to the
// kernel at once, rather than one at a time per object.
//
// To tell concurrent from serial submission, the operations are made to
// block in the kernel: reads from an empty FIFO, writes to a full one. The
// test then asks the kernel, through /proc/self/fdinfo of the ring, how many
// requests are waiting for the FIFO (the "PollList"), or, on kernels that do
// not list them, how many submission queue entries it has consumed since the
// operations were started ("SqHead"). With one-at-a-time submission only the
// first operation is in the kernel; with concurrent submission all are. The data each operation transfers is checked
// as well, and cancellation and close are exercised with many operations in
// flight.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer_registration.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <algorithm>
#include <string>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace random_access_file_concurrent {

using boost::asio::io_context;
using boost::asio::mutable_buffer;
using boost::asio::random_access_file;

const int depth = 32;

struct result
{
  result() : called(false), n(0) {}
  bool called;
  boost::system::error_code ec;
  std::size_t n;
};

struct record
{
  explicit record(result& r) : r_(&r) {}
  void operator()(boost::system::error_code ec, std::size_t n)
  {
    r_->called = true;
    r_->ec = ec;
    r_->n = n;
  }
  result* r_;
};

// The number of SQEs the kernel has consumed from the context's ring.
long sq_head()
{
  return test_support::fdinfo_field(test_support::io_uring_fdinfo(), "SqHead");
}

void require_sq_head()
{
  if (sq_head() < 0)
    BOOST_ASIO_TEST_SKIP("kernel does not report SqHead in io_uring fdinfo");
}

// The number of operations the kernel has in flight, judged by the poll list
// if the kernel reports it, otherwise by the SQEs consumed since `before`
// (which also counts the service's own SQEs, e.g. timeouts, so it can only
// overstate the number).
long in_flight(long before, const char* what)
{
  std::string fdinfo = test_support::io_uring_fdinfo();
  long polling = test_support::fdinfo_poll_list(fdinfo);
  long consumed = test_support::fdinfo_field(fdinfo, "SqHead") - before;
  std::cout << "  " << what << " in flight on one file object: "
    << (polling >= 0 ? polling : consumed) << " of " << depth
    << " (kernel poll list: " << polling << ", SQEs consumed: "
    << consumed << ")" << std::endl;
  return polling >= 0 ? polling : consumed;
}

// Let the context submit whatever it has queued, without blocking.
void settle(io_context& ctx)
{
  for (int i = 0; i < 5; ++i)
  {
    ctx.restart();
    ctx.run_for(std::chrono::milliseconds(10));
  }
}

int count_called(const result* r, int n)
{
  int count = 0;
  for (int i = 0; i < n; ++i)
    count += r[i].called ? 1 : 0;
  return count;
}

void run_until_all_called(io_context& ctx, const result* r, int n)
{
  ctx.restart();
  for (int i = 0; i < 200 && count_called(r, n) < n; ++i)
    ctx.run_for(std::chrono::milliseconds(10));
}

void reads_are_submitted_concurrently()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);
  require_sq_head();
  settle(ctx);

  char data[depth] = { 0 };
  result results[depth];
  long before = sq_head();
  for (int i = 0; i < depth; ++i)
    f.async_read_some_at(0, boost::asio::buffer(&data[i], 1),
        record(results[i]));
  settle(ctx);
  long submitted = in_flight(before, "reads");

  BOOST_ASIO_CHECK(count_called(results, depth) == 0);
  BOOST_ASIO_CHECK_MESSAGE(submitted >= depth, "only " << submitted
      << " of " << depth << " reads were submitted before any completed");

  // Each read receives exactly one of the bytes written.
  std::string written;
  for (int i = 0; i < depth; ++i)
    written += static_cast<char>('A' + i);
  BOOST_ASIO_CHECK(::write(f.native_handle(), written.data(), depth) == depth);
  run_until_all_called(ctx, results, depth);

  std::string received;
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(!results[i].ec);
    BOOST_ASIO_CHECK(results[i].n == 1);
    received += data[i];
  }
  std::sort(received.begin(), received.end());
  BOOST_ASIO_CHECK(received == written);
}

void writes_are_submitted_concurrently()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);
  require_sq_head();

  // Fill the FIFO through a second, non-blocking descriptor.
  int filler = ::open(fifo.path(), O_WRONLY | O_NONBLOCK);
  BOOST_ASIO_CHECK(filler >= 0);
  std::vector<char> junk(65536, 'j');
  std::size_t filled = 0;
  for (;;)
  {
    ssize_t n = ::write(filler, &junk[0], junk.size());
    if (n <= 0)
      break;
    filled += static_cast<std::size_t>(n);
  }
  BOOST_ASIO_CHECK(errno == EAGAIN);
  settle(ctx);

  char payload[depth];
  result results[depth];
  long before = sq_head();
  for (int i = 0; i < depth; ++i)
  {
    payload[i] = static_cast<char>('a' + i % 26);
    f.async_write_some_at(0, boost::asio::buffer(&payload[i], 1),
        record(results[i]));
  }
  settle(ctx);
  long submitted = in_flight(before, "writes");

  BOOST_ASIO_CHECK(count_called(results, depth) == 0);
  BOOST_ASIO_CHECK_MESSAGE(submitted >= depth, "only " << submitted
      << " of " << depth << " writes were submitted before any completed");

  // Drain the FIFO; every write then completes.
  int drain = ::open(fifo.path(), O_RDONLY | O_NONBLOCK);
  BOOST_ASIO_CHECK(drain >= 0);
  std::size_t drained = 0;
  ctx.restart();
  for (int i = 0; i < 200 && count_called(results, depth) < depth; ++i)
  {
    ssize_t n;
    while ((n = ::read(drain, &junk[0], junk.size())) > 0)
      drained += static_cast<std::size_t>(n);
    ctx.run_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(!results[i].ec);
    BOOST_ASIO_CHECK(results[i].n == 1);
  }
  ssize_t n;
  while ((n = ::read(drain, &junk[0], junk.size())) > 0)
    drained += static_cast<std::size_t>(n);
  BOOST_ASIO_CHECK(drained == filled + depth);
  ::close(drain);
  ::close(filler);
}

// Many reads at distinct offsets of a regular file, some through registered
// buffers: each gets its own block.
void concurrent_reads_transfer_correct_data()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  const std::size_t block = 4096;
  test_support::temp_file tf(depth * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(depth * block);
  std::vector<mutable_buffer> halves;
  for (int i = 0; i < depth / 2; ++i)
    halves.push_back(boost::asio::buffer(&mem[i * block], block));
  boost::asio::buffer_registration<std::vector<mutable_buffer> >
    reg(ctx, halves);

  result results[depth];
  for (int i = 0; i < depth; ++i)
  {
    // Read block (depth - 1 - i) so that buffer and offset differ.
    std::size_t off = (depth - 1 - i) * block;
    if (i < depth / 2)
      f.async_read_some_at(off, reg[i], record(results[i]));
    else
      f.async_read_some_at(off,
          boost::asio::buffer(&mem[i * block], block), record(results[i]));
  }
  run_until_all_called(ctx, results, depth);

  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(!results[i].ec);
    BOOST_ASIO_CHECK(results[i].n == block);
    bool same = true;
    std::size_t off = (depth - 1 - i) * block;
    for (std::size_t j = 0; j < block; ++j)
      same = same && mem[i * block + j] == test_support::temp_file::pattern(off + j);
    BOOST_ASIO_CHECK_MESSAGE(same, "read " << i << " has the wrong data");
  }

  // Reading at the end of the file still reports eof.
  result eof_result;
  f.async_read_some_at(depth * block,
      boost::asio::buffer(&mem[0], block), record(eof_result));
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK(eof_result.ec == boost::asio::error::eof);
}

void concurrent_writes_transfer_correct_data()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  const std::size_t block = 4096;
  test_support::temp_file tf(0);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_write);

  std::vector<char> mem(depth * block);
  result results[depth];
  for (int i = 0; i < depth; ++i)
  {
    std::fill(&mem[i * block], &mem[i * block] + block,
        static_cast<char>('A' + i % 26));
    f.async_write_some_at(i * block,
        boost::asio::buffer(&mem[i * block], block), record(results[i]));
  }
  run_until_all_called(ctx, results, depth);

  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(!results[i].ec);
    BOOST_ASIO_CHECK(results[i].n == block);
  }
  BOOST_ASIO_CHECK(f.size() == depth * block);
  std::vector<char> back(depth * block);
  BOOST_ASIO_CHECK(::pread(f.native_handle(), &back[0], back.size(), 0)
      == static_cast<ssize_t>(back.size()));
  BOOST_ASIO_CHECK(back == mem);
}

void cancel_one_of_many()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);

  char data[depth] = { 0 };
  result results[depth];
  boost::asio::cancellation_signal signals[depth];
  for (int i = 0; i < depth; ++i)
    f.async_read_some_at(0, boost::asio::buffer(&data[i], 1),
        boost::asio::bind_cancellation_slot(signals[i].slot(),
          record(results[i])));
  settle(ctx);

  signals[5].emit(boost::asio::cancellation_type::terminal);
  settle(ctx);
  BOOST_ASIO_CHECK(results[5].called);
  BOOST_ASIO_CHECK(results[5].ec == boost::asio::error::operation_aborted);
  BOOST_ASIO_CHECK(count_called(results, depth) == 1);

  BOOST_ASIO_CHECK(::write(f.native_handle(),
        "0123456789012345678901234567890", depth - 1) == depth - 1);
  run_until_all_called(ctx, results, depth);
  for (int i = 0; i < depth; ++i)
  {
    if (i == 5)
      continue;
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(!results[i].ec);
    BOOST_ASIO_CHECK(results[i].n == 1);
  }
  BOOST_ASIO_CHECK(data[5] == 0);
}

void cancel_all()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);

  char data[depth] = { 0 };
  result results[depth];
  for (int i = 0; i < depth; ++i)
    f.async_read_some_at(0, boost::asio::buffer(&data[i], 1),
        record(results[i]));
  settle(ctx);

  f.cancel();
  run_until_all_called(ctx, results, depth);
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(results[i].ec == boost::asio::error::operation_aborted);
  }

  // The object is still usable.
  result again;
  char c = 0;
  f.async_read_some_at(0, boost::asio::buffer(&c, 1), record(again));
  BOOST_ASIO_CHECK(::write(f.native_handle(), "x", 1) == 1);
  run_until_all_called(ctx, &again, 1);
  BOOST_ASIO_CHECK(!again.ec);
  BOOST_ASIO_CHECK(c == 'x');
}

void close_with_many_pending()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo, fifo2;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);

  char data[depth] = { 0 };
  result results[depth];
  for (int i = 0; i < depth; ++i)
    f.async_read_some_at(0, boost::asio::buffer(&data[i], 1),
        record(results[i]));
  settle(ctx);
  f.close();

  // A new object opened now gets the old descriptor number and, possibly,
  // the old per-object state. It must not see the old reads.
  random_access_file g(ctx, fifo2.path(), random_access_file::read_write);
  result fresh;
  char c = 0;
  g.async_read_some_at(0, boost::asio::buffer(&c, 1), record(fresh));

  run_until_all_called(ctx, results, depth);
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(results[i].called);
    BOOST_ASIO_CHECK(results[i].ec == boost::asio::error::operation_aborted);
  }
  BOOST_ASIO_CHECK(!fresh.called);

  BOOST_ASIO_CHECK(::write(g.native_handle(), "g", 1) == 1);
  run_until_all_called(ctx, &fresh, 1);
  BOOST_ASIO_CHECK(!fresh.ec);
  BOOST_ASIO_CHECK(c == 'g');
  for (int i = 0; i < depth; ++i)
    BOOST_ASIO_CHECK(data[i] == 0);
}

struct count_destroyed
{
  explicit count_destroyed(int& n) : n_(&n), live_(true) {}
  count_destroyed(const count_destroyed& o) : n_(o.n_), live_(o.live_) {}
#if defined(BOOST_ASIO_HAS_MOVE)
  count_destroyed(count_destroyed&& o) : n_(o.n_), live_(o.live_)
  {
    o.live_ = false;
  }
#endif // defined(BOOST_ASIO_HAS_MOVE)
  ~count_destroyed() { if (live_) ++*n_; }
  void operator()(boost::system::error_code, std::size_t) { *n_ += 1000; }
  int* n_;
  bool live_;
};

// Destroying the context with operations in flight destroys their handlers
// without calling them.
void shutdown_with_many_pending()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_fifo fifo;
  int destroyed = 0;
  char data[depth] = { 0 };
  {
    io_context ctx;
    random_access_file f(ctx, fifo.path(), random_access_file::read_write);
    for (int i = 0; i < depth; ++i)
      f.async_read_some_at(0, boost::asio::buffer(&data[i], 1),
          count_destroyed(destroyed));
    settle(ctx);
    BOOST_ASIO_CHECK(destroyed == 0);
  }
  BOOST_ASIO_CHECK_MESSAGE(destroyed == depth,
      destroyed << " handlers destroyed, expected " << depth);
}

} // namespace random_access_file_concurrent

BOOST_ASIO_TEST_SUITE
(
  "random_access_file_concurrent",
  BOOST_ASIO_TEST_CASE(
    random_access_file_concurrent::reads_are_submitted_concurrently)
  BOOST_ASIO_TEST_CASE(
    random_access_file_concurrent::writes_are_submitted_concurrently)
  BOOST_ASIO_TEST_CASE(
    random_access_file_concurrent::concurrent_reads_transfer_correct_data)
  BOOST_ASIO_TEST_CASE(
    random_access_file_concurrent::concurrent_writes_transfer_correct_data)
  BOOST_ASIO_TEST_CASE(random_access_file_concurrent::cancel_one_of_many)
  BOOST_ASIO_TEST_CASE(random_access_file_concurrent::cancel_all)
  BOOST_ASIO_TEST_CASE(random_access_file_concurrent::close_with_many_pending)
  BOOST_ASIO_TEST_CASE(
    random_access_file_concurrent::shutdown_with_many_pending)
)

//
// io_uring_drain.cpp
// ~~~~~~~~~~~~~~~~~~
//
// Test for patch 0005: notify_fork(fork_prepare) and shutdown() drain the
// completion queue, and must consume each completion exactly once; for that
// to terminate, the service's internal timeout must really be cancelled.
//
// After a fork the parent must see each pending operation restarted once, and
// the child must get its own copies of them on its new ring. Destroying a
// context with a timer pending far in the future must not wait for it.
//
// Built with BOOST_ASIO_DISABLE_EPOLL (io_uring as the default backend): in
// the hybrid epoll + io_uring configuration, Asio 1.26 cannot re-register its
// eventfd with epoll in the child ("epoll re-registration: File exists"), a
// separate problem that this series does not address.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/random_access_file.hpp>
#include <boost/asio/stream_file.hpp>
#include <algorithm>
#include <string>
#include <sys/wait.h>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace io_uring_drain {

using boost::asio::execution_context;
using boost::asio::io_context;
using boost::asio::random_access_file;
using boost::asio::stream_file;

const int depth = 4;

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

int count_called(const result* r)
{
  int n = 0;
  for (int i = 0; i < depth; ++i)
    n += r[i].called ? 1 : 0;
  return n;
}

void run_for(io_context& ctx, int ms)
{
  ctx.restart();
  ctx.run_for(std::chrono::milliseconds(ms));
}

void run_until_all_called(io_context& ctx, const result* r)
{
  for (int i = 0; i < 200 && count_called(r) < depth; ++i)
    run_for(ctx, 10);
}

// In the child: the reads are pending on the child's ring, nothing has
// completed, and cancelling aborts every one of them. Returns the exit status.
template <typename File>
int check_child(io_context& ctx, File& f, const result* r)
{
  ctx.notify_fork(execution_context::fork_child);
  run_for(ctx, 50);
  if (count_called(r) != 0)
    return 10 + count_called(r);
  f.cancel();
  run_until_all_called(ctx, r);
  for (int i = 0; i < depth; ++i)
    if (!r[i].called || r[i].ec != boost::asio::error::operation_aborted)
      return 20 + i;
  return 0;
}

// Cancels the watchdog alarm once the test case, including the destruction of
// its io_context, has finished.
struct alarm_guard
{
  ~alarm_guard() { ::alarm(0); }
};

int wait_child(pid_t pid)
{
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid)
    return -1;
  if (!WIFEXITED(status))
    return -2;
  return WEXITSTATUS(status);
}

void fork_with_pending_stream_reads()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  ::alarm(20); // A hang becomes a failure.
  alarm_guard guard;

  test_support::temp_fifo fifo;
  io_context ctx;
  stream_file f(ctx, fifo.path(), stream_file::read_write);

  char data[depth] = { 0 };
  result r[depth];
  for (int i = 0; i < depth; ++i)
    f.async_read_some(boost::asio::buffer(&data[i], 1), record(r[i]));
  run_for(ctx, 20);
  BOOST_ASIO_CHECK(count_called(r) == 0);

  std::cout.flush();
  ctx.notify_fork(execution_context::fork_prepare);
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(check_child(ctx, f, r));
  BOOST_ASIO_CHECK(pid > 0);
  ctx.notify_fork(execution_context::fork_parent);

  int child_status = wait_child(pid);
  BOOST_ASIO_CHECK_MESSAGE(child_status == 0,
      "child process check failed with status " << child_status);

  run_for(ctx, 50);
  BOOST_ASIO_CHECK(count_called(r) == 0);

  // Stream reads complete in order, one byte each. If the read at the head
  // of the queue had been submitted twice, a second byte would land in the
  // first buffer and a later read would complete without data.
  BOOST_ASIO_CHECK(::write(f.native_handle(), "abcd", depth) == depth);
  run_until_all_called(ctx, r);
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(r[i].called);
    BOOST_ASIO_CHECK(!r[i].ec);
    BOOST_ASIO_CHECK(r[i].n == 1);
  }
  BOOST_ASIO_CHECK_MESSAGE(std::string(data, depth) == "abcd",
      "reads received '" << std::string(data, depth) << "'");
}

void fork_with_pending_positional_reads()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  ::alarm(20); // A hang becomes a failure.
  alarm_guard guard;

  test_support::temp_fifo fifo;
  io_context ctx;
  random_access_file f(ctx, fifo.path(), random_access_file::read_write);

  char data[depth] = { 0 };
  result r[depth];
  for (int i = 0; i < depth; ++i)
    f.async_read_some_at(0, boost::asio::buffer(&data[i], 1), record(r[i]));
  run_for(ctx, 20);
  BOOST_ASIO_CHECK(count_called(r) == 0);

  std::cout.flush();
  ctx.notify_fork(execution_context::fork_prepare);
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(check_child(ctx, f, r));
  BOOST_ASIO_CHECK(pid > 0);
  ctx.notify_fork(execution_context::fork_parent);

  int child_status = wait_child(pid);
  BOOST_ASIO_CHECK_MESSAGE(child_status == 0,
      "child process check failed with status " << child_status);

  run_for(ctx, 50);
  BOOST_ASIO_CHECK(count_called(r) == 0);

  BOOST_ASIO_CHECK(::write(f.native_handle(), "abcd", depth) == depth);
  run_until_all_called(ctx, r);
  for (int i = 0; i < depth; ++i)
  {
    BOOST_ASIO_CHECK(r[i].called);
    BOOST_ASIO_CHECK(!r[i].ec);
    BOOST_ASIO_CHECK(r[i].n == 1);
  }
  std::string received(data, depth);
  std::sort(received.begin(), received.end());
  BOOST_ASIO_CHECK_MESSAGE(received == "abcd",
      "reads received '" << std::string(data, depth) << "'");
}

// The internal timeout that implements timers is cancelled at shutdown, so
// destroying the context does not wait for the timer's expiry. A watchdog
// alarm turns a hang into a failure.
void shutdown_with_pending_timer()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  ::alarm(20);
  {
    io_context ctx;
    boost::asio::steady_timer t(ctx, std::chrono::hours(1));
    bool called = false;
    t.async_wait([&](boost::system::error_code){ called = true; });
    run_for(ctx, 20);
    BOOST_ASIO_CHECK(!called);
  }
  ::alarm(0);
}

// The same after a fork, when the parent's restarted timeout is pending.
void shutdown_after_fork_with_pending_timer()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  ::alarm(20);
  {
    io_context ctx;
    boost::asio::steady_timer t(ctx, std::chrono::hours(1));
    t.async_wait([](boost::system::error_code){});
    run_for(ctx, 20);

    std::cout.flush();
    ctx.notify_fork(execution_context::fork_prepare);
    pid_t pid = ::fork();
    if (pid == 0)
    {
      ctx.notify_fork(execution_context::fork_child);
      ::_exit(0);
    }
    ctx.notify_fork(execution_context::fork_parent);
    BOOST_ASIO_CHECK(wait_child(pid) == 0);
    run_for(ctx, 20);
  }
  ::alarm(0);
}

} // namespace io_uring_drain

BOOST_ASIO_TEST_SUITE
(
  "io_uring_drain",
  BOOST_ASIO_TEST_CASE(io_uring_drain::fork_with_pending_stream_reads)
  BOOST_ASIO_TEST_CASE(io_uring_drain::fork_with_pending_positional_reads)
  BOOST_ASIO_TEST_CASE(io_uring_drain::shutdown_with_pending_timer)
  BOOST_ASIO_TEST_CASE(
    io_uring_drain::shutdown_after_fork_with_pending_timer)
)

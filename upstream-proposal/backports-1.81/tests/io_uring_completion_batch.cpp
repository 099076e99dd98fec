//
// io_uring_completion_batch.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0009: in the hybrid configuration (epoll reactor, io_uring
// for files), the io_uring's eventfd is read once and then at most one batch
// (128) of completions is taken. If more completions were ready, they raised
// no new notification and waited until some unrelated completion arrived:
// with nothing else in flight, run() blocked for ever.
//
// 512 positional reads on one random_access_file (all in the kernel at once
// since patch 0008) complete from the page cache while they are submitted,
// so that 512 completions are waiting when run() starts. Each must complete
// once with its data. Before the patch the test hangs (and is killed by an
// alarm after 20 s).
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace io_uring_completion_batch {

const int count = 512;
const std::size_t block = 512;

struct record
{
  record(int* calls, std::size_t* n, boost::system::error_code* ec)
    : calls_(calls), n_(n), ec_(ec) {}
  void operator()(boost::system::error_code ec, std::size_t n)
  {
    ++*calls_;
    *n_ = n;
    *ec_ = ec;
  }
  int* calls_;
  std::size_t* n_;
  boost::system::error_code* ec_;
};

void more_completions_than_a_batch()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  ::alarm(20); // A hang becomes a failure (SIGALRM ends the process).

  test_support::temp_file file(count * block);
  boost::asio::io_context ctx;
  boost::asio::random_access_file f(ctx, file.path(),
      boost::asio::random_access_file::read_only);

  std::vector<char> data(count * block);
  std::vector<int> calls(count);
  std::vector<std::size_t> n(count);
  std::vector<boost::system::error_code> ec(count);
  for (int i = 0; i < count; ++i)
  {
    f.async_read_some_at(i * block,
        boost::asio::buffer(&data[i * block], block),
        record(&calls[i], &n[i], &ec[i]));
  }
  ctx.run();
  ::alarm(0);

  int completed = 0, good = 0;
  for (int i = 0; i < count; ++i)
  {
    completed += calls[i] == 1 ? 1 : 0;
    bool same = !ec[i] && n[i] == block;
    for (std::size_t j = 0; same && j < block; ++j)
      same = data[i * block + j] == test_support::temp_file::pattern(i * block + j);
    good += same ? 1 : 0;
  }
  BOOST_ASIO_CHECK_MESSAGE(completed == count,
      "only " << completed << " of " << count << " reads completed");
  BOOST_ASIO_CHECK_MESSAGE(good == count,
      "only " << good << " of " << count << " reads received their data");
}

} // namespace io_uring_completion_batch

BOOST_ASIO_TEST_SUITE
(
  "io_uring_completion_batch",
  BOOST_ASIO_TEST_CASE(io_uring_completion_batch::more_completions_than_a_batch)
)

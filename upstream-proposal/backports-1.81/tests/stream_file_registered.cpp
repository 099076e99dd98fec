//
// stream_file_registered.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0004: stream-oriented reads and writes through registered
// buffers (READ_FIXED / WRITE_FIXED) must use and advance the file position,
// exactly like the same operations through ordinary buffers (READV / WRITEV).
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/buffer_registration.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/stream_file.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace stream_file_registered {

using boost::asio::io_context;
using boost::asio::mutable_buffer;
using boost::asio::stream_file;
typedef std::vector<mutable_buffer> buffer_vector;

const std::size_t chunk = 512;

void sequential_registered_writes()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(0);
  io_context ctx;
  stream_file f(ctx, tf.path(),
      stream_file::write_only | stream_file::truncate);

  std::vector<char> mem(chunk);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  boost::asio::buffer_registration<buffer_vector> reg(ctx, bufs);

  std::string expected;
  for (int i = 0; i < 4; ++i)
  {
    std::fill(mem.begin(), mem.end(), static_cast<char>('A' + i));
    expected.append(chunk, static_cast<char>('A' + i));
    boost::system::error_code ec;
    std::size_t n = 0;
    boost::asio::async_write(f, reg[0],
        [&](boost::system::error_code e, std::size_t m){ ec = e; n = m; });
    ctx.restart();
    ctx.run();
    BOOST_ASIO_CHECK(!ec);
    BOOST_ASIO_CHECK(n == chunk);
  }

  BOOST_ASIO_CHECK_MESSAGE(f.size() == expected.size(),
      "file size " << f.size() << ", expected " << expected.size());
  f.close();

  stream_file r(ctx, tf.path(), stream_file::read_only);
  std::string actual(expected.size() + 1, '\0');
  boost::system::error_code ec;
  std::size_t n = boost::asio::read(r, boost::asio::buffer(&actual[0],
        actual.size()), ec);
  BOOST_ASIO_CHECK(ec == boost::asio::error::eof);
  actual.resize(n);
  BOOST_ASIO_CHECK(actual == expected);
}

void sequential_registered_reads()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  const std::size_t chunks = 4;
  test_support::temp_file tf(chunk * chunks);
  io_context ctx;
  stream_file f(ctx, tf.path(), stream_file::read_only);

  std::vector<char> mem(chunk);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  boost::asio::buffer_registration<buffer_vector> reg(ctx, bufs);

  for (std::size_t i = 0; i < chunks; ++i)
  {
    boost::system::error_code ec;
    std::size_t n = 0;
    boost::asio::async_read(f, reg[0],
        [&](boost::system::error_code e, std::size_t m){ ec = e; n = m; });
    ctx.restart();
    ctx.run();
    BOOST_ASIO_CHECK(!ec);
    BOOST_ASIO_CHECK(n == chunk);
    bool same = true;
    for (std::size_t j = 0; j < chunk; ++j)
      same = same && mem[j] == test_support::temp_file::pattern(i * chunk + j);
    BOOST_ASIO_CHECK_MESSAGE(same, "chunk " << i << " has the wrong data");
  }

  // The position is now at the end of the file.
  boost::system::error_code ec;
  f.async_read_some(reg[0],
      [&](boost::system::error_code e, std::size_t){ ec = e; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK(ec == boost::asio::error::eof);
}

// Registered and ordinary buffers share one file position.
void mixed_registered_and_plain_writes()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(0);
  io_context ctx;
  stream_file f(ctx, tf.path(),
      stream_file::write_only | stream_file::truncate);

  std::vector<char> mem(chunk, 'R');
  buffer_vector bufs(1, boost::asio::buffer(mem));
  boost::asio::buffer_registration<buffer_vector> reg(ctx, bufs);
  std::string plain(chunk, 'p');

  boost::system::error_code ec;
  boost::asio::async_write(f, boost::asio::buffer(plain),
      [&](boost::system::error_code e, std::size_t){ ec = e; });
  ctx.run();
  boost::asio::async_write(f, reg[0],
      [&](boost::system::error_code e, std::size_t){ ec = e; });
  ctx.restart();
  ctx.run();
  boost::asio::async_write(f, boost::asio::buffer(plain),
      [&](boost::system::error_code e, std::size_t){ ec = e; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK(!ec);
  BOOST_ASIO_CHECK(f.size() == 3 * chunk);
  f.close();

  stream_file r(ctx, tf.path(), stream_file::read_only);
  std::string actual(3 * chunk, '\0');
  boost::asio::read(r, boost::asio::buffer(&actual[0], actual.size()), ec);
  BOOST_ASIO_CHECK(actual == plain + std::string(chunk, 'R') + plain);
}

} // namespace stream_file_registered

BOOST_ASIO_TEST_SUITE
(
  "stream_file_registered",
  BOOST_ASIO_TEST_CASE(stream_file_registered::sequential_registered_writes)
  BOOST_ASIO_TEST_CASE(stream_file_registered::sequential_registered_reads)
  BOOST_ASIO_TEST_CASE(
    stream_file_registered::mixed_registered_and_plain_writes)
)

//
// buffer_registration_empty.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0001: a buffer_registration that registered nothing (empty
// sequence, moved-from, or failed) must not unregister buffers that another
// buffer_registration registered on the same execution context.
//
// Each case registers a real buffer, does something to another registration
// object, then performs a READ_FIXED through the real registration. If the
// context's table had been dropped, the kernel fails that read with EFAULT.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/asio/buffer_registration.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <sys/mman.h>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace buffer_registration_empty {

using boost::asio::io_context;
using boost::asio::mutable_buffer;
using boost::asio::mutable_registered_buffer;
using boost::asio::random_access_file;
typedef std::vector<mutable_buffer> buffer_vector;
typedef boost::asio::buffer_registration<buffer_vector> registration;

const std::size_t buffer_size = 4096;

// Read the first buffer_size bytes of the file through a registered buffer
// and check the result. Returns true if the read succeeded with correct data.
bool read_fixed_ok(io_context& ctx, random_access_file& file,
    const mutable_registered_buffer& buf)
{
  std::memset(buf.data(), 0, buf.size());
  boost::system::error_code ec = boost::asio::error::would_block;
  std::size_t n = 0;
  file.async_read_some_at(0, buf,
      [&](boost::system::error_code e, std::size_t m){ ec = e; n = m; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK_MESSAGE(!ec, "READ_FIXED failed: " << ec.message());
  BOOST_ASIO_CHECK(n == buf.size());
  if (ec || n != buf.size())
    return false;
  const char* p = static_cast<const char*>(buf.data());
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != test_support::temp_file::pattern(i))
      return false;
  return true;
}

void destroy_empty_registration()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(buffer_size);
  io_context ctx;
  random_access_file file(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(buffer_size);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  registration reg(ctx, bufs);
  BOOST_ASIO_CHECK(reg.size() == 1);
  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, reg[0]));

  {
    buffer_vector none;
    registration empty(ctx, none);
    BOOST_ASIO_CHECK(empty.size() == 0);
  } // Destroying the empty registration must not touch reg's buffers.

  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, reg[0]));
}

void destroy_empty_registration_via_executor()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(buffer_size);
  io_context ctx;
  random_access_file file(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(buffer_size);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  registration reg = boost::asio::register_buffers(ctx.get_executor(), bufs);

  {
    buffer_vector none;
    registration empty =
      boost::asio::register_buffers(ctx.get_executor(), none);
  }

  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, reg[0]));
}

void move_assign_into_empty_registration()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(buffer_size);
  io_context ctx;
  random_access_file file(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(buffer_size);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  buffer_vector none;
  registration target(ctx, none);

  {
    registration source(ctx, bufs);
    // The target registered nothing, so assigning to it must not unregister
    // the context's table (which now belongs to the target).
    target = std::move(source);
  } // Destroying the moved-from source must not unregister anything either.

  BOOST_ASIO_CHECK(target.size() == 1);
  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, target[0]));
}

void destroy_moved_from_registration()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(buffer_size);
  io_context ctx;
  random_access_file file(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(buffer_size);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  registration* source = new registration(ctx, bufs);
  registration target(std::move(*source));
  delete source;

  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, target[0]));
}

void failed_registration_leaves_table()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(buffer_size);
  io_context ctx;
  random_access_file file(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(buffer_size);
  buffer_vector bufs(1, boost::asio::buffer(mem));
  registration reg(ctx, bufs);

  // Memory that cannot be pinned: registering it must fail.
  void* bad = ::mmap(0, buffer_size, PROT_NONE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  BOOST_ASIO_CHECK(bad != MAP_FAILED);
  buffer_vector bad_bufs(1, boost::asio::buffer(bad, buffer_size));

  bool threw = false;
  try
  {
    registration failed(ctx, bad_bufs);
  }
  catch (const boost::system::system_error& e)
  {
    threw = true;
    std::cout << "  registration of PROT_NONE memory failed as expected: "
      << e.what() << std::endl;
  }
  BOOST_ASIO_CHECK(threw);
  ::munmap(bad, buffer_size);

  BOOST_ASIO_CHECK(read_fixed_ok(ctx, file, reg[0]));
}

} // namespace buffer_registration_empty

BOOST_ASIO_TEST_SUITE
(
  "buffer_registration_empty",
  BOOST_ASIO_TEST_CASE(buffer_registration_empty::destroy_empty_registration)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_empty::destroy_empty_registration_via_executor)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_empty::move_assign_into_empty_registration)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_empty::destroy_moved_from_registration)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_empty::failed_registration_leaves_table)
)

//
// buffer_registration_sparse.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0006: several buffer_registration objects coexist on one
// io_context, in a sparse registered buffer table. Each can be used for
// READ_FIXED and WRITE_FIXED through its registered_buffer_ids, and each can
// be destroyed without affecting the others. A failed registration leaves the
// table exactly as it was.
//
// When built with BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS the service uses
// the fallback for kernels older than 5.19 (one registration per context), and
// the test checks that fallback instead. Otherwise the test is skipped on
// kernels without sparse buffer tables.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/buffer_registration.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <sys/mman.h>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace buffer_registration_sparse {

using boost::asio::const_registered_buffer;
using boost::asio::io_context;
using boost::asio::mutable_buffer;
using boost::asio::mutable_registered_buffer;
using boost::asio::random_access_file;
typedef std::vector<mutable_buffer> buffer_vector;
typedef boost::asio::buffer_registration<buffer_vector> registration;

const std::size_t block = 4096;

// Reads block number i of the file into buf and checks the data.
bool read_block(io_context& ctx, random_access_file& f,
    std::size_t i, const mutable_registered_buffer& buf)
{
  std::memset(buf.data(), 0, buf.size());
  boost::system::error_code ec;
  std::size_t n = 0;
  f.async_read_some_at(i * block, buf,
      [&](boost::system::error_code e, std::size_t m){ ec = e; n = m; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK_MESSAGE(!ec, "READ_FIXED of slot "
      << buf.id().native_handle() << " failed: " << ec.message());
  if (ec || n != buf.size())
    return false;
  const char* p = static_cast<const char*>(buf.data());
  for (std::size_t j = 0; j < n; ++j)
    if (p[j] != test_support::temp_file::pattern(i * block + j))
      return false;
  return true;
}

// Writes buf (filled with c) at block i with WRITE_FIXED, reads it back with
// an ordinary pread and checks it.
bool write_block(io_context& ctx, random_access_file& f,
    std::size_t i, const mutable_registered_buffer& buf, char c)
{
  std::memset(buf.data(), c, buf.size());
  boost::system::error_code ec;
  std::size_t n = 0;
  f.async_write_some_at(i * block, const_registered_buffer(buf),
      [&](boost::system::error_code e, std::size_t m){ ec = e; n = m; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK_MESSAGE(!ec, "WRITE_FIXED of slot "
      << buf.id().native_handle() << " failed: " << ec.message());
  if (ec || n != buf.size())
    return false;
  std::vector<char> back(buf.size());
  if (::pread(f.native_handle(), &back[0], back.size(),
        static_cast<off_t>(i * block)) != static_cast<ssize_t>(back.size()))
    return false;
  for (std::size_t j = 0; j < back.size(); ++j)
    if (back[j] != c)
      return false;
  return true;
}

#if !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)

// Skip unless the kernel supports sparse buffer tables (Linux 5.19).
void require_sparse_buffer_tables()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();
  ::io_uring ring;
  if (::io_uring_queue_init(4, &ring, 0) < 0)
    BOOST_ASIO_TEST_SKIP("io_uring_queue_init failed");
  int result = ::io_uring_register_buffers_sparse(&ring, 4);
  ::io_uring_queue_exit(&ring);
  if (result == -EINVAL)
    BOOST_ASIO_TEST_SKIP("kernel lacks sparse buffer tables (Linux < 5.19)");
}

#endif // !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)

long registered_count()
{
  return test_support::fdinfo_registered_buffers(
      test_support::io_uring_fdinfo());
}

#if !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)

void two_registrations_coexist()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(8 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_write);

  std::vector<char> mem_a(2 * block), mem_b(3 * block);
  buffer_vector bufs_a, bufs_b;
  for (std::size_t i = 0; i < 2; ++i)
    bufs_a.push_back(boost::asio::buffer(&mem_a[i * block], block));
  for (std::size_t i = 0; i < 3; ++i)
    bufs_b.push_back(boost::asio::buffer(&mem_b[i * block], block));

  registration a(ctx, bufs_a);
  registration b(ctx, bufs_b);
  BOOST_ASIO_CHECK(a.size() == 2);
  BOOST_ASIO_CHECK(b.size() == 3);

  // Every buffer has its own slot.
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j)
      BOOST_ASIO_CHECK(a[i].id() != b[j].id());

  long count = registered_count();
  BOOST_ASIO_CHECK(count == -1 || count == 5);

  BOOST_ASIO_CHECK(read_block(ctx, f, 0, a[0]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 1, a[1]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 2, b[0]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 3, b[1]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 4, b[2]));
  BOOST_ASIO_CHECK(write_block(ctx, f, 5, a[1], 'A'));
  BOOST_ASIO_CHECK(write_block(ctx, f, 6, b[2], 'B'));
}

void destroy_one_keeps_other()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(8 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_write);

  std::vector<char> mem_a(block), mem_b(block), mem_c(2 * block);
  buffer_vector bufs_a(1, boost::asio::buffer(mem_a));
  buffer_vector bufs_b(1, boost::asio::buffer(mem_b));
  buffer_vector bufs_c;
  bufs_c.push_back(boost::asio::buffer(&mem_c[0], block));
  bufs_c.push_back(boost::asio::buffer(&mem_c[block], block));

  registration* a = new registration(ctx, bufs_a);
  registration b(ctx, bufs_b);
  BOOST_ASIO_CHECK(read_block(ctx, f, 0, (*a)[0]));
  delete a;

  long count = registered_count();
  BOOST_ASIO_CHECK(count == -1 || count == 1);
  BOOST_ASIO_CHECK(read_block(ctx, f, 1, b[0]));
  BOOST_ASIO_CHECK(write_block(ctx, f, 2, b[0], 'b'));

  // A new registration may reuse the freed slot; both remain usable.
  registration c(ctx, bufs_c);
  BOOST_ASIO_CHECK(c[0].id() != b[0].id());
  BOOST_ASIO_CHECK(c[1].id() != b[0].id());
  BOOST_ASIO_CHECK(read_block(ctx, f, 3, c[0]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 4, c[1]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 3, b[0]));
}

void many_registrations()
{
  require_sparse_buffer_tables();

  const std::size_t count = 64;
  test_support::temp_file tf(count * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem(count * block);
  std::vector<registration*> regs;
  for (std::size_t i = 0; i < count; ++i)
  {
    buffer_vector bufs(1, boost::asio::buffer(&mem[i * block], block));
    regs.push_back(new registration(ctx, bufs));
  }

  // Destroy every other registration, then check the survivors.
  for (std::size_t i = 0; i < count; i += 2)
  {
    delete regs[i];
    regs[i] = 0;
  }
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == static_cast<long>(count / 2));
  for (std::size_t i = 1; i < count; i += 2)
    BOOST_ASIO_CHECK(read_block(ctx, f, i, (*regs[i])[0]));
  for (std::size_t i = 0; i < count; ++i)
    delete regs[i];
  n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 0);
}

void failed_registration_rolls_back()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(4 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem_a(block), mem_c(3 * block);
  buffer_vector bufs_a(1, boost::asio::buffer(mem_a));
  registration a(ctx, bufs_a);

  // The second of three buffers cannot be pinned, so the kernel updates the
  // first slot and then fails. The service must empty that slot again.
  void* bad = ::mmap(0, block, PROT_NONE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  BOOST_ASIO_CHECK(bad != MAP_FAILED);
  buffer_vector bufs_bad;
  bufs_bad.push_back(boost::asio::buffer(&mem_c[0], block));
  bufs_bad.push_back(boost::asio::buffer(bad, block));
  bufs_bad.push_back(boost::asio::buffer(&mem_c[block], block));

  boost::system::error_code ec;
  try
  {
    registration failed(ctx, bufs_bad);
  }
  catch (const boost::system::system_error& e)
  {
    ec = e.code();
  }
  ::munmap(bad, block);
  BOOST_ASIO_CHECK(ec == boost::asio::error::fault);

  long n = registered_count();
  BOOST_ASIO_CHECK_MESSAGE(n == -1 || n == 1,
      "table holds " << n << " buffers after a failed registration");
  BOOST_ASIO_CHECK(read_block(ctx, f, 0, a[0]));

  // The slots were released: three buffers fit again.
  buffer_vector bufs_c;
  for (std::size_t i = 0; i < 3; ++i)
    bufs_c.push_back(boost::asio::buffer(&mem_c[i * block], block));
  registration c(ctx, bufs_c);
  BOOST_ASIO_CHECK(read_block(ctx, f, 1, c[0]));
  BOOST_ASIO_CHECK(read_block(ctx, f, 3, c[2]));
}

void too_many_buffers()
{
  require_sparse_buffer_tables();

  io_context ctx;
  char mem[16];
  buffer_vector one(1, boost::asio::buffer(mem));
  registration a(ctx, one);

  // More buffers than the table has free slots: rejected before anything
  // is pinned.
  buffer_vector many(16384, boost::asio::buffer(mem));
  boost::system::error_code ec;
  try
  {
    registration failed(ctx, many);
  }
  catch (const boost::system::system_error& e)
  {
    ec = e.code();
  }
  BOOST_ASIO_CHECK(ec == boost::asio::error::no_buffer_space);
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 1);
}

#else // !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)

void one_registration_at_a_time()
{
  BOOST_ASIO_TEST_REQUIRE_IO_URING();

  test_support::temp_file tf(4 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> mem_a(block), mem_b(block);
  buffer_vector bufs_a(1, boost::asio::buffer(mem_a));
  buffer_vector bufs_b(1, boost::asio::buffer(mem_b));

  registration* a = new registration(ctx, bufs_a);
  boost::system::error_code ec;
  try
  {
    registration b(ctx, bufs_b);
  }
  catch (const boost::system::system_error& e)
  {
    ec = e.code();
  }
  BOOST_ASIO_CHECK(ec == boost::system::errc::device_or_resource_busy);
  BOOST_ASIO_CHECK(read_block(ctx, f, 0, (*a)[0]));
  delete a;

  registration b(ctx, bufs_b);
  BOOST_ASIO_CHECK(read_block(ctx, f, 1, b[0]));
}

#endif // !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)

} // namespace buffer_registration_sparse

BOOST_ASIO_TEST_SUITE
(
  "buffer_registration_sparse",
#if !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)
  BOOST_ASIO_TEST_CASE(buffer_registration_sparse::two_registrations_coexist)
  BOOST_ASIO_TEST_CASE(buffer_registration_sparse::destroy_one_keeps_other)
  BOOST_ASIO_TEST_CASE(buffer_registration_sparse::many_registrations)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_sparse::failed_registration_rolls_back)
  BOOST_ASIO_TEST_CASE(buffer_registration_sparse::too_many_buffers)
#else // !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)
  BOOST_ASIO_TEST_CASE(
    buffer_registration_sparse::one_registration_at_a_time)
#endif // !defined(BOOST_ASIO_DISABLE_IO_URING_SPARSE_BUFFERS)
)

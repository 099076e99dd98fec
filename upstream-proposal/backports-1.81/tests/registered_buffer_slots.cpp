//
// registered_buffer_slots.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Test for patch 0007: registered_buffer_slots reserves a range of slots in
// the context's registered buffer table; memory can be assigned to slots,
// replaced and cleared later, alongside buffer_registration objects on the
// same context. This is what a library needs to build its own pool of
// registered buffers on Asio's ring.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/asio/registered_buffer_slots.hpp>

#include <boost/asio/buffer_registration.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <sys/mman.h>
#include <vector>
#include "unit_test.hpp"
#include "test_support.hpp"

namespace registered_buffer_slots_test {

using boost::asio::const_registered_buffer;
using boost::asio::io_context;
using boost::asio::mutable_buffer;
using boost::asio::mutable_registered_buffer;
using boost::asio::random_access_file;
using boost::asio::registered_buffer_slots;

const std::size_t block = 4096;

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

// Read len bytes at offset off into buf. Returns the error.
boost::system::error_code read_at(io_context& ctx, random_access_file& f,
    std::size_t off, const mutable_registered_buffer& buf)
{
  boost::system::error_code ec;
  f.async_read_some_at(off, buf,
      [&](boost::system::error_code e, std::size_t){ ec = e; });
  ctx.restart();
  ctx.run();
  return ec;
}

bool has_pattern(const void* data, std::size_t size, std::size_t off)
{
  const char* p = static_cast<const char*>(data);
  for (std::size_t i = 0; i < size; ++i)
    if (p[i] != test_support::temp_file::pattern(off + i))
      return false;
  return true;
}

long registered_count()
{
  return test_support::fdinfo_registered_buffers(
      test_support::io_uring_fdinfo());
}

void reserve_assign_read()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(8 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_write);

  registered_buffer_slots slots(ctx, 4);
  BOOST_ASIO_CHECK(slots.size() == 4);
  BOOST_ASIO_CHECK(slots[0].size() == 0);
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 0);

  // One call fills several slots from one arena.
  std::vector<char> arena(4 * block);
  std::vector<mutable_buffer> bufs;
  for (std::size_t i = 0; i < 4; ++i)
    bufs.push_back(boost::asio::buffer(&arena[i * block], block));
  slots.assign(0, bufs);
  n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 4);

  for (std::size_t i = 0; i < 4; ++i)
  {
    BOOST_ASIO_CHECK(slots[i].data() == &arena[i * block]);
    BOOST_ASIO_CHECK(slots[i].size() == block);
    BOOST_ASIO_CHECK(slots.id(i) == slots[i].id());
    boost::system::error_code ec = read_at(ctx, f, i * block, slots[i]);
    BOOST_ASIO_CHECK_MESSAGE(!ec, "READ_FIXED failed: " << ec.message());
    BOOST_ASIO_CHECK(has_pattern(&arena[i * block], block, i * block));
  }

  // Part of a slot's memory, as a pool would hand out.
  std::memset(&arena[0], 0, block);
  mutable_registered_buffer part = boost::asio::buffer(slots[0] + 100, 200);
  BOOST_ASIO_CHECK(part.id() == slots.id(0));
  boost::system::error_code ec = read_at(ctx, f, 5 * block, part);
  BOOST_ASIO_CHECK(!ec);
  BOOST_ASIO_CHECK(has_pattern(&arena[100], 200, 5 * block));
  BOOST_ASIO_CHECK(arena[99] == 0 && arena[300] == 0);

  // WRITE_FIXED through a slot.
  std::memset(&arena[block], 'W', block);
  std::size_t written = 0;
  f.async_write_some_at(6 * block, const_registered_buffer(slots[1]),
      [&](boost::system::error_code e, std::size_t m){ ec = e; written = m; });
  ctx.restart();
  ctx.run();
  BOOST_ASIO_CHECK(!ec);
  BOOST_ASIO_CHECK(written == block);
  char back = 0;
  BOOST_ASIO_CHECK(::pread(f.native_handle(), &back, 1, 6 * block) == 1);
  BOOST_ASIO_CHECK(back == 'W');
}

void replace_and_clear()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(4 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> a(block, 0), b(block, 0);
  registered_buffer_slots slots(ctx, 2);
  slots.assign(0, boost::asio::buffer(a));
  mutable_registered_buffer old_buf = slots[0];
  BOOST_ASIO_CHECK(!read_at(ctx, f, 0, old_buf));
  BOOST_ASIO_CHECK(has_pattern(&a[0], block, 0));

  // Replace slot 0's memory: reads through the slot now land in b.
  slots.assign(0, boost::asio::buffer(b));
  BOOST_ASIO_CHECK(slots[0].data() == &b[0]);
  BOOST_ASIO_CHECK(slots[0].id() == old_buf.id());
  std::fill(a.begin(), a.end(), 0);
  BOOST_ASIO_CHECK(!read_at(ctx, f, block, slots[0]));
  BOOST_ASIO_CHECK(has_pattern(&b[0], block, block));

  // The kernel checks fixed-buffer addresses against the slot's current
  // memory, so the stale buffer (into a) is now refused.
  boost::system::error_code ec = read_at(ctx, f, 0, old_buf);
  BOOST_ASIO_CHECK(ec == boost::asio::error::fault);
  BOOST_ASIO_CHECK(a[0] == 0);

  // Clearing empties the kernel's slot too.
  mutable_registered_buffer before_clear = slots[0];
  slots.clear(0);
  BOOST_ASIO_CHECK(slots[0].size() == 0);
  ec = read_at(ctx, f, 0, before_clear);
  BOOST_ASIO_CHECK(ec == boost::asio::error::fault);
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 0);

  // A cleared slot can be assigned again.
  slots.assign(0, boost::asio::buffer(a));
  BOOST_ASIO_CHECK(!read_at(ctx, f, 2 * block, slots[0]));
  BOOST_ASIO_CHECK(has_pattern(&a[0], block, 2 * block));
}

void failed_assign_leaves_slots()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(4 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> a(block), b(block);
  registered_buffer_slots slots(ctx, 3);
  slots.assign(0, boost::asio::buffer(a));

  void* bad = ::mmap(0, block, PROT_NONE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  BOOST_ASIO_CHECK(bad != MAP_FAILED);
  std::vector<mutable_buffer> bufs;
  bufs.push_back(boost::asio::buffer(b));
  bufs.push_back(boost::asio::buffer(bad, block));

  // Slot 0 is updated to b by the kernel before slot 1 fails; the object
  // must put a back.
  boost::system::error_code ec;
  slots.assign(0, bufs, ec);
  ::munmap(bad, block);
  BOOST_ASIO_CHECK(ec == boost::asio::error::fault);
  BOOST_ASIO_CHECK(slots[0].data() == &a[0]);
  BOOST_ASIO_CHECK(slots[1].size() == 0);
  BOOST_ASIO_CHECK(!read_at(ctx, f, block, slots[0]));
  BOOST_ASIO_CHECK(has_pattern(&a[0], block, block));
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 1);

  // Out of range.
  slots.assign(2, bufs, ec);
  BOOST_ASIO_CHECK(ec == boost::asio::error::invalid_argument);
  bool threw = false;
  try
  {
    slots.assign(3, boost::asio::buffer(b));
  }
  catch (const boost::system::system_error&)
  {
    threw = true;
  }
  BOOST_ASIO_CHECK(threw);
}

void coexist_with_buffer_registration()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(4 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> r(block), s(block);
  std::vector<mutable_buffer> rbufs(1, boost::asio::buffer(r));
  boost::asio::buffer_registration<std::vector<mutable_buffer> >
    reg(ctx, rbufs);

  {
    registered_buffer_slots slots(ctx.get_executor(), 8);
    slots.assign(3, boost::asio::buffer(s));
    for (std::size_t i = 0; i < slots.size(); ++i)
      BOOST_ASIO_CHECK(slots.id(i) != reg[0].id());
    BOOST_ASIO_CHECK(!read_at(ctx, f, 0, reg[0]));
    BOOST_ASIO_CHECK(!read_at(ctx, f, block, slots[3]));
    BOOST_ASIO_CHECK(has_pattern(&s[0], block, block));
  }

  // Releasing the slots leaves the registration alone.
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 1);
  BOOST_ASIO_CHECK(!read_at(ctx, f, 2 * block, reg[0]));
  BOOST_ASIO_CHECK(has_pattern(&r[0], block, 2 * block));
}

void move_slots()
{
  require_sparse_buffer_tables();

  test_support::temp_file tf(2 * block);
  io_context ctx;
  random_access_file f(ctx, tf.path(), random_access_file::read_only);

  std::vector<char> a(block);
  registered_buffer_slots source(ctx, 2);
  source.assign(1, boost::asio::buffer(a));
  boost::asio::registered_buffer_id id = source.id(1);

  registered_buffer_slots target(std::move(source));
  BOOST_ASIO_CHECK(source.size() == 0);
  BOOST_ASIO_CHECK(target.size() == 2);
  BOOST_ASIO_CHECK(target.id(1) == id);

  registered_buffer_slots other(ctx, 1);
  other = std::move(target);
  BOOST_ASIO_CHECK(other.size() == 2);
  BOOST_ASIO_CHECK(other.id(1) == id);
  BOOST_ASIO_CHECK(!read_at(ctx, f, block, other[1]));
  BOOST_ASIO_CHECK(has_pattern(&a[0], block, block));
  long n = registered_count();
  BOOST_ASIO_CHECK(n == -1 || n == 1);
}

void table_exhaustion()
{
  require_sparse_buffer_tables();

  io_context ctx;
  registered_buffer_slots most(ctx, 16384 - 2);
  boost::system::error_code ec;
  try
  {
    registered_buffer_slots too_many(ctx, 3);
  }
  catch (const boost::system::system_error& e)
  {
    ec = e.code();
  }
  BOOST_ASIO_CHECK(ec == boost::asio::error::no_buffer_space);
  registered_buffer_slots rest(ctx, 2);
  BOOST_ASIO_CHECK(rest.size() == 2);
}

} // namespace registered_buffer_slots_test

BOOST_ASIO_TEST_SUITE
(
  "registered_buffer_slots",
  BOOST_ASIO_TEST_CASE(registered_buffer_slots_test::reserve_assign_read)
  BOOST_ASIO_TEST_CASE(registered_buffer_slots_test::replace_and_clear)
  BOOST_ASIO_TEST_CASE(registered_buffer_slots_test::failed_assign_leaves_slots)
  BOOST_ASIO_TEST_CASE(
    registered_buffer_slots_test::coexist_with_buffer_registration)
  BOOST_ASIO_TEST_CASE(registered_buffer_slots_test::move_slots)
  BOOST_ASIO_TEST_CASE(registered_buffer_slots_test::table_exhaustion)
)

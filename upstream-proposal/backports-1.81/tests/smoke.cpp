//
// smoke.cpp
// ~~~~~~~~~
//
// A small program using the patched headers the way an application would:
// buffer_registration and registered_buffer_slots on one io_context, pipes,
// and (when io_uring is enabled) a random_access_file with many positional
// reads in flight. Built by the check script with and without
// BOOST_ASIO_HAS_IO_URING, to show that the series compiles and behaves in
// both configurations. Exits 77 if the io_uring build cannot create a ring.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio.hpp>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>
#include "test_support.hpp"
#include "unit_test.hpp"

namespace asio = boost::asio;

int failures = 0;

#define SMOKE_CHECK(expr) \
  do { if (!(expr)) { \
    std::cout << "smoke: check failed at line " << __LINE__ \
      << ": " #expr << std::endl; \
    ++failures; \
  } } while (0)

int main()
{
#if defined(BOOST_ASIO_HAS_IO_URING)
  const char* mode = "io_uring";
  std::string why = asio::detail::io_uring_unavailable_reason();
  if (!why.empty())
  {
    std::cout << "SKIP: " << why << std::endl;
    return 77;
  }
#else // defined(BOOST_ASIO_HAS_IO_URING)
  const char* mode = "no io_uring";
#endif // defined(BOOST_ASIO_HAS_IO_URING)

  asio::io_context ctx;

  // A registration and a range of slots on the same context.
  std::vector<char> arena(4 * 4096);
  std::vector<asio::mutable_buffer> bufs;
  bufs.push_back(asio::buffer(&arena[0], 4096));
  asio::buffer_registration<std::vector<asio::mutable_buffer> > reg =
    asio::register_buffers(ctx, bufs);
  SMOKE_CHECK(reg.size() == 1);

  bool have_slots = true;
  asio::registered_buffer_slots* slots = 0;
  try
  {
    slots = new asio::registered_buffer_slots(ctx.get_executor(), 2);
    std::vector<asio::mutable_buffer> more;
    more.push_back(asio::buffer(&arena[4096], 4096));
    more.push_back(asio::buffer(&arena[8192], 4096));
    slots->assign(0, more);
#if defined(BOOST_ASIO_HAS_IO_URING)
    // Slots in the ring's table are distinct. (Without io_uring, identifiers
    // are not backed by a table, and both start at index 0.)
    SMOKE_CHECK(slots->id(0) != reg[0].id());
    SMOKE_CHECK(slots->id(1) != reg[0].id());
#endif // defined(BOOST_ASIO_HAS_IO_URING)
  }
  catch (const boost::system::system_error& e)
  {
    // Expected only with io_uring on kernels older than 5.19.
    std::cout << "smoke: registered_buffer_slots unavailable: "
      << e.what() << std::endl;
    SMOKE_CHECK(e.code() == asio::error::operation_not_supported);
    have_slots = false;
  }

  // Pipe I/O through registered buffers (ordinary buffers with epoll).
  asio::readable_pipe rp(ctx);
  asio::writable_pipe wp(ctx);
  asio::connect_pipe(rp, wp);
  std::memcpy(&arena[0], "hello, registered world", 23);
  std::size_t written = 0, read = 0;
  asio::async_write(wp, asio::buffer(asio::const_registered_buffer(reg[0]), 23),
      [&](boost::system::error_code ec, std::size_t n)
      {
        SMOKE_CHECK(!ec);
        written = n;
      });
  asio::mutable_registered_buffer target = have_slots
    ? (*slots)[1] : reg[0] + 100;
  asio::async_read(rp, asio::buffer(target, 23),
      [&](boost::system::error_code ec, std::size_t n)
      {
        SMOKE_CHECK(!ec);
        read = n;
      });
  ctx.run();
  SMOKE_CHECK(written == 23);
  SMOKE_CHECK(read == 23);
  SMOKE_CHECK(std::memcmp(target.data(), "hello, registered world", 23) == 0);

#if defined(BOOST_ASIO_HAS_FILE)
  // Positional reads, several in flight on one file object.
  test_support::temp_file tf(16 * 4096);
  asio::random_access_file f(ctx, tf.path(), asio::random_access_file::read_only);
  std::vector<char> blocks(16 * 4096);
  int done = 0;
  for (int i = 0; i < 16; ++i)
  {
    asio::async_read_at(f, (15 - i) * 4096,
        asio::buffer(&blocks[i * 4096], 4096),
        [&](boost::system::error_code ec, std::size_t n)
        {
          SMOKE_CHECK(!ec);
          SMOKE_CHECK(n == 4096);
          ++done;
        });
  }
  ctx.restart();
  ctx.run();
  SMOKE_CHECK(done == 16);
  for (int i = 0; i < 16; ++i)
    SMOKE_CHECK(blocks[i * 4096 + 7]
        == test_support::temp_file::pattern((15 - i) * 4096 + 7));

  // And one through the registration.
  boost::system::error_code ec;
  std::size_t n = asio::read_at(f, 4096, reg[0], ec);
  SMOKE_CHECK(!ec && n == 4096);
  SMOKE_CHECK(arena[5] == test_support::temp_file::pattern(4096 + 5));
#endif // defined(BOOST_ASIO_HAS_FILE)

  delete slots;
  std::cout << "smoke (" << mode << ", C++" << (__cplusplus / 100 % 100)
    << "): " << (failures ? "FAILED" : "ok") << std::endl;
  return failures ? 1 : 0;
}

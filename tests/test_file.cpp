#include "support.hpp"

#include <fcntl.h>

using namespace test;

BOOST_AUTO_TEST_SUITE(file)

BOOST_AUTO_TEST_CASE(open_errors_name_the_path) {
  scratch s;
  try {
    auf::file f(s.path("missing"), auf::file::read_only);
    BOOST_FAIL("expected ENOENT");
  } catch (const auf::system_error& e) {
    BOOST_TEST(e.code().value() == ENOENT);
    BOOST_TEST(std::string(e.what()).find("missing") != std::string::npos);
  }
  auf::file f;
  auf::error_code ec;
  f.open(s.path("missing"), auf::file::read_only, ec);
  BOOST_TEST(ec.value() == ENOENT);
  BOOST_TEST(!f.is_open());
}

BOOST_AUTO_TEST_CASE(create_size_resize_allocate_move) {
  scratch s;
  auf::file f(s.path("f"), auf::file::read_write | auf::file::create | auf::file::exclusive, 0600);
  BOOST_TEST(f.is_open());
  BOOST_TEST(f.size() == 0u);
  f.resize(12345);
  BOOST_TEST(f.size() == 12345u);
  auf::error_code ec;
  f.allocate(0, 1 << 20, ec);
  BOOST_TEST(!ec);
  BOOST_TEST(f.size() == std::uint64_t{1} << 20);
  auf::file g = std::move(f);
  BOOST_TEST(!f.is_open());
  BOOST_TEST(g.is_open());
  BOOST_TEST((::fcntl(g.native_handle(), F_GETFD) & FD_CLOEXEC) != 0);
  int fd = g.release();
  BOOST_TEST(!g.is_open());
  BOOST_TEST(::close(fd) == 0);
  // exclusive refuses an existing file
  BOOST_CHECK_THROW(
      auf::file(s.path("f"), auf::file::write_only | auf::file::create | auf::file::exclusive),
      auf::system_error);
}

BOOST_AUTO_TEST_CASE(direct_alignment, *boost::unit_test::precondition(needs_direct_io)) {
  scratch s;
  auf::file f(s.path("d"), auf::file::read_write | auf::file::create | auf::file::direct);
  std::size_t a = f.direct_alignment();
  BOOST_TEST(a >= 512u);
  BOOST_TEST((a & (a - 1)) == 0u); // a power of two
}

BOOST_AUTO_TEST_SUITE_END()

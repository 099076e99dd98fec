// The exception type the portable backend throws when it cannot be built.
#include "support.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>

using namespace test;

BOOST_AUTO_TEST_SUITE(portable_backend_errors)

BOOST_AUTO_TEST_CASE(eventfd_failure_throws_boost_system_error) {
  // The documented exception type is boost::system::system_error (the
  // library's system_error): catch exactly that, with the errno.
  {
    // UndefinedBehaviorSanitizer checks a dynamic type it has not seen yet by
    // probing memory through a pipe(), which fails at the lowered limit and
    // is then reported as an invalid vptr. The same construction and a throw
    // of the same type first, with descriptors to spare, let it see them.
    asio::io_context warm;
    auf::service_options opts;
    opts.backend = auf::backend_preference::portable;
    auf::uring_service::install(warm, opts);
    try {
      throw auf::system_error(auf::error_code(EMFILE, boost::system::system_category()), "warm");
    } catch (const boost::system::system_error& e) {
      BOOST_TEST(e.code().value() == EMFILE);
    }
  }
  asio::io_context ctx;
  rlimit old{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
  int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC); // the lowest free descriptor
  BOOST_REQUIRE(probe >= 0);
  ::close(probe);
  struct restore_limit {
    rlimit saved;
    ~restore_limit() { ::setrlimit(RLIMIT_NOFILE, &saved); }
  } restore{old};
  rlimit lowered = old;
  lowered.rlim_cur = static_cast<rlim_t>(probe); // the next descriptor is refused
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  auf::service_options opts;
  opts.backend = auf::backend_preference::portable;
  bool caught = false;
  int code = 0;
  std::string what;
  try {
    auf::uring_service::install(ctx, opts);
  } catch (const boost::system::system_error& e) {
    caught = true;
    code = e.code().value();
    what = e.what();
  }
  ::setrlimit(RLIMIT_NOFILE, &old);
  BOOST_TEST(caught);
  BOOST_TEST(code == EMFILE, what);
}

BOOST_AUTO_TEST_SUITE_END()

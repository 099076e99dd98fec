// The tests' main: checks that the backend this run is meant to exercise is
// available, and exits 77 (ctest: Skipped) with the reason when it is not.
#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include <liburing.h>

#include <cstdio>
#include <cstring>

#include "support.hpp"

namespace {
bool init_unit_test() {
  return true;
}
} // namespace

int main(int argc, char** argv) {
  if (test::io_uring_refused_run()) {
    // The filter must be in effect, or this run would prove nothing.
    io_uring ring;
    int r = io_uring_queue_init(8, &ring, 0);
    if (r >= 0) {
      std::printf("FAIL: io_uring should be refused in this run, and io_uring_setup worked\n");
      io_uring_queue_exit(&ring);
      return 1;
    }
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) || defined(ASIO_HAS_IO_URING_AS_DEFAULT)
    std::printf("SKIP: io_uring is Asio's default backend in this program, so Asio itself "
                "cannot make an io_context where io_uring is refused\n");
    return 77;
#endif
  } else if (test::backend_under_test() == asio_uring_fixed::backend_kind::io_uring) {
    io_uring ring;
    int r = io_uring_queue_init(8, &ring, 0);
    if (r < 0) {
      std::printf("SKIP: the io_uring run needs io_uring, and io_uring_setup failed here: %s\n",
                  std::strerror(-r));
      return 77;
    }
    io_uring_queue_exit(&ring);
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}

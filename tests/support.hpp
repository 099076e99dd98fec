// Helpers shared by the tests: scratch files, patterns, backend checks and a
// handler that counts how it was used.
#pragma once

#include <asio_uring_fixed/asio_uring_fixed.hpp>

// The tests build with either flavour of Asio (the library target they link
// decides); they spell it asio:: through the library's alias.
#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio.hpp>
#include <asio/experimental/parallel_group.hpp>
#else
#include <boost/asio.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#endif

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace test {

namespace auf = asio_uring_fixed;
namespace asio = auf::asio;
namespace fs = std::filesystem;

/// The io_context the tests make. In Asio-ring mode on standalone Asio (1.38.2
/// or later, patched), its configuration comes from the environment, so one
/// build runs the tests with one ring and with several
/// (ASIO_REACTOR_IO_URING_RING_COUNT=3); elsewhere it is asio::io_context.
#if ASIO_URING_FIXED_HAS_ASIO_RING && defined(ASIO_URING_FIXED_STANDALONE)
class test_context : public asio::io_context {
 public:
  test_context() : asio::io_context(asio::config_from_env()) {}
  explicit test_context(int concurrency_hint) : asio::io_context(asio::config_from_env()) {
    (void)concurrency_hint; // the environment's configuration decides
  }
};
#else
using test_context = asio::io_context;
#endif

/// The backend this run exercises (from ASIO_URING_FIXED_BACKEND; portable
/// when the run has io_uring refused).
auf::backend_kind backend_under_test();

/// True in runs under tests/no_io_uring (a seccomp filter refuses io_uring):
/// the library must choose the portable backend by itself.
bool io_uring_refused_run();

/// Precondition: this run has io_uring refused by seccomp.
boost::test_tools::assertion_result needs_refused_io_uring(boost::unit_test::test_unit_id);

/// Precondition: the service on a fresh io_context uses io_uring.
boost::test_tools::assertion_result needs_io_uring(boost::unit_test::test_unit_id);

/// Precondition: the io_uring backend is the library's private ring, not
/// Asio's (tests of service_options::setup_flags / ring_entries).
boost::test_tools::assertion_result needs_private_ring(boost::unit_test::test_unit_id);

/// Precondition: the io_uring backend is Asio's own ring (Asio-ring mode).
boost::test_tools::assertion_result needs_asio_ring(boost::unit_test::test_unit_id);

/// Precondition: O_DIRECT works for files in the scratch directory.
boost::test_tools::assertion_result needs_direct_io(boost::unit_test::test_unit_id);

/// A fresh directory for one test, removed on destruction.
class scratch {
 public:
  scratch();
  ~scratch();
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  fs::path path(const std::string& name) const { return dir_ / name; }

 private:
  fs::path dir_;
};

/// Deterministic bytes: a function of (seed, position).
std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed = 1, std::size_t start = 0);

void write_file(const fs::path& p, std::span<const std::byte> data);
std::vector<std::byte> read_file(const fs::path& p);

/// True when the two byte ranges are equal.
inline bool same(std::span<const std::byte> a, std::span<const std::byte> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

/// A pipe whose read end never has data unless written: reads on it stay in
/// flight until cancelled, on both backends.
struct pipe_pair {
  pipe_pair();
  ~pipe_pair();
  int read_end = -1;
  int write_end = -1;
};

/// Counts calls and destructions of completion handlers.
struct handler_log {
  std::atomic<int> calls{0};
  std::atomic<int> destroyed{0};
};

/// A move-only handler that records into a log; the log is shared so the
/// count survives the handler's destruction.
class logged_handler {
 public:
  explicit logged_handler(std::shared_ptr<handler_log> log) : log_(std::move(log)) {}
  logged_handler(logged_handler&& o) noexcept : log_(std::move(o.log_)) {}
  logged_handler(const logged_handler&) = delete;
  ~logged_handler() {
    if (log_)
      ++log_->destroyed;
  }
  template <typename... Args>
  void operator()(Args&&...) {
    ++log_->calls;
  }

 private:
  std::shared_ptr<handler_log> log_;
};

} // namespace test

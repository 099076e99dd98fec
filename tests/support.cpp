#include "support.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string_view>

namespace test {

bool io_uring_refused_run() {
  const char* env = std::getenv("ASIO_URING_FIXED_TEST_IO_URING");
  return env && std::string_view(env) == "refused";
}

boost::test_tools::assertion_result needs_refused_io_uring(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(io_uring_refused_run());
  if (!r)
    r.message() << "runs only with io_uring refused by seccomp (ctest's *.io_uring_refused)";
  return r;
}

auf::backend_kind backend_under_test() {
  if (io_uring_refused_run())
    return auf::backend_kind::portable;
  const char* env = std::getenv("ASIO_URING_FIXED_BACKEND");
  return env && std::string_view(env) == "portable" ? auf::backend_kind::portable
                                                    : auf::backend_kind::io_uring;
}

boost::test_tools::assertion_result needs_io_uring(boost::unit_test::test_unit_id) {
  test_context ctx;
  auto& service = asio::use_service<auf::uring_service>(ctx);
  boost::test_tools::assertion_result r(service.backend() == auf::backend_kind::io_uring);
  if (!r)
    r.message() << "needs the io_uring backend (this run uses the portable backend"
                << (service.io_uring_error() ? ": " + service.io_uring_error().message() : "")
                << ")";
  return r;
}

boost::test_tools::assertion_result needs_private_ring(boost::unit_test::test_unit_id id) {
  auto r = needs_io_uring(id);
  if (r && ASIO_URING_FIXED_HAS_ASIO_RING) {
    r = false;
    r.message() << "this program runs on Asio's own rings (Asio-ring mode, on an Asio patched "
                   "by upstream-proposal/), where service_options::setup_flags and "
                   "ring_entries do not apply";
  }
  return r;
}

boost::test_tools::assertion_result needs_asio_ring(boost::unit_test::test_unit_id id) {
  auto r = needs_io_uring(id);
  if (r && !ASIO_URING_FIXED_HAS_ASIO_RING) {
    r = false;
    r.message() << "needs Asio-ring mode (-DASIO_URING_FIXED_ASIO_RING=ON with an Asio "
                   "patched by upstream-proposal/); this program uses the library's private "
                   "ring";
  }
  return r;
}

boost::test_tools::assertion_result needs_direct_io(boost::unit_test::test_unit_id) {
  scratch s;
  int fd = ::open(s.path("direct-probe").c_str(), O_CREAT | O_RDWR | O_DIRECT, 0644);
  boost::test_tools::assertion_result r(fd >= 0);
  if (fd < 0)
    r.message() << "O_DIRECT is not supported in " << s.path("") << ": " << std::strerror(errno);
  else
    ::close(fd);
  return r;
}

scratch::scratch() {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("ASIO_URING_FIXED_TEST_DIR");
  fs::path root = base ? fs::path(base) : fs::temp_directory_path();
  dir_ = root / ("t" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir_);
}

scratch::~scratch() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed, std::size_t start) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t x = (start + i) * 0x9E3779B97F4A7C15ull ^ seed * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    v[i] = static_cast<std::byte>(x);
  }
  return v;
}

void write_file(const fs::path& p, std::span<const std::byte> data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  BOOST_REQUIRE(out.good());
}

std::vector<std::byte> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> v(chars.size());
  if (!chars.empty()) // memcpy from a null pointer is undefined, even for 0 bytes
    std::memcpy(v.data(), chars.data(), chars.size());
  return v;
}

pipe_pair::pipe_pair() {
  int fds[2];
  BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  read_end = fds[0];
  write_end = fds[1];
}

pipe_pair::~pipe_pair() {
  ::close(read_end);
  ::close(write_end);
}

} // namespace test

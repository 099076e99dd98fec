// A program as a user of either flavour writes it, built against the
// installed package: reads its own source through a registered buffer with
// a callback and with a coroutine, on the io_uring backend and on the
// portable one. The target or pkg-config module it is built with decides
// the flavour (the standalone one defines ASIO_URING_FIXED_STANDALONE).
#include <asio_uring_fixed/asio_uring_fixed.hpp>

#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio.hpp>
#include <system_error>
using user_error_code = std::error_code;
constexpr const char* flavour = "standalone";
constexpr int asio_version = ASIO_VERSION;
#else
#include <boost/asio.hpp>
#include <boost/system/error_code.hpp>
namespace asio = boost::asio;
using user_error_code = boost::system::error_code;
constexpr const char* flavour = "boost";
constexpr int asio_version = BOOST_ASIO_VERSION;
#endif

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <type_traits>

namespace auf = asio_uring_fixed;

// Completion handlers receive the flavour's own error_code.
static_assert(std::is_same_v<auf::error_code, user_error_code>);

namespace {

bool starts_with_comment(const auf::fixed_buffer& b, std::size_t n) {
  return n >= 2 && std::string_view(reinterpret_cast<const char*>(b.data()), 2) == "//";
}

// Runs both reads on a fresh io_context whose service uses `backend`.
void run(const char* path, auf::backend_preference backend) {
  asio::io_context ctx;
  auf::uring_service::install(ctx, {.backend = backend});
  auf::fixed_buffer_pool pool(ctx, 2, 4096, {auf::registration_mode::if_possible});
  auf::file f(path, auf::file::read_only);

  bool callback_ok = false, coroutine_ok = false;
  auf::async_read_fixed_at(f, 0, pool.try_acquire(),
                           [&](user_error_code ec, std::size_t n, auf::fixed_buffer b) {
                             callback_ok = !ec && starts_with_comment(b, n);
                           });
  asio::co_spawn(
      ctx,
      [&]() -> asio::awaitable<void> {
        auf::fixed_buffer b = co_await pool.async_acquire(asio::use_awaitable);
        auto [ec, n, back] = co_await auf::async_read_fixed_at(f, 0, std::move(b),
                                                               asio::as_tuple(asio::use_awaitable));
        coroutine_ok = !ec && starts_with_comment(back, n);
      },
      asio::detached);
  ctx.run();

  std::printf("consumer: %s Asio, backend %s: callback %s, coroutine %s\n", flavour,
              auf::to_string(asio::use_service<auf::uring_service>(ctx).backend()).data(),
              callback_ok ? "ok" : "FAILED", coroutine_ok ? "ok" : "FAILED");
  if (!callback_ok || !coroutine_ok)
    std::exit(1);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  // .ci/test says which Asio it put on the include path: check it is the one used.
  const char* expect = std::getenv("ASIO_URING_FIXED_EXPECT_ASIO_VERSION");
  std::printf("consumer: %s Asio %d.%d.%d\n", flavour, asio_version / 100000,
              asio_version / 100 % 1000, asio_version % 100);
  if (expect && std::atoi(expect) != asio_version) {
    std::printf("consumer: FAILED: expected Asio version %s\n", expect);
    return 1;
  }
  try {
    run(argv[1], auf::backend_preference::io_uring);
  } catch (const auf::system_error& e) {
    std::printf("SKIP: the io_uring backend is unavailable here: %s\n", e.what());
    return 77;
  }
  run(argv[1], auf::backend_preference::portable);
  return 0;
}

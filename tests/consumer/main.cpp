// Reads its own source through a registered buffer and prints the backend.
#include <asio_uring_fixed/asio_uring_fixed.hpp>

#include <cstdio>

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  asio::io_context ctx;
  auf::fixed_buffer_pool pool(ctx, 1, 4096, {auf::registration_mode::if_possible});
  auf::file f(argv[1], auf::file::read_only);
  int status = 1;
  auf::async_read_fixed_at(f, 0, pool.try_acquire(),
                           [&](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                             std::string_view head(reinterpret_cast<const char*>(b.data()), 2);
                             if (!ec && n > 0 && head == "//")
                               status = 0;
                           });
  ctx.run();
  std::printf("consumer: backend %s, read %s\n",
              auf::to_string(asio::use_service<auf::uring_service>(ctx).backend()).data(),
              status == 0 ? "ok" : "FAILED");
  return status;
}

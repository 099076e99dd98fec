#include <asio_uring_fixed/asio_uring_fixed.hpp>
#include <boost/asio/use_future.hpp>
#include <fcntl.h>
#include <iostream>
namespace auf = asio_uring_fixed;
int main() {
  boost::asio::io_context ctx;
  auf::fixed_buffer_pool pool(ctx, 4, 4096);
  auf::file f("/etc/passwd", auf::file::read_only);
  auto b = pool.try_acquire();
  auf::async_read_fixed_at(f, 0, std::move(b),
                           [](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
                             std::cout << ec.message() << " " << n << " "
                                       << std::string_view((char*)b.data(), 20) << "\n";
                           });
  ctx.run();
  std::cout << "backend "
            << auf::to_string(boost::asio::use_service<auf::uring_service>(ctx).backend()) << "\n";
}

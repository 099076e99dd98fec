//
// cxx03_compile.cpp
// ~~~~~~~~~~~~~~~~~
//
// Compiled by the check script with -std=c++03 and without io_uring (liburing
// itself requires C++11), to show that the public API added or changed by the
// series (buffer_registration, registered_buffer_slots) keeps Asio's C++03
// compatibility. Also run: without io_uring the slots behave as ordinary
// buffers.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio.hpp>
#include <iostream>
#include <vector>

int main()
{
  boost::asio::io_context ctx;
  char mem[64];
  std::vector<boost::asio::mutable_buffer> v;
  v.push_back(boost::asio::buffer(mem));

  boost::asio::buffer_registration<
    std::vector<boost::asio::mutable_buffer> > reg(ctx, v);
  boost::asio::registered_buffer_slots slots(ctx.get_executor(), 2);
  slots.assign(0, boost::asio::buffer(mem, 16));
  boost::system::error_code ec;
  slots.assign(1, v, ec);
  slots.assign(2, v, ec); // Out of range.
  bool out_of_range = (ec == boost::asio::error::invalid_argument);
  slots.clear(0);

  bool ok = reg.size() == 1 && slots.size() == 2 && slots[0].size() == 0
    && slots[1].data() == mem && slots[1].size() == 64 && out_of_range
    && boost::asio::buffer(slots[1] + 8, 4).size() == 4;
  std::cout << "cxx03_compile: " << (ok ? "ok" : "FAILED") << std::endl;
  return ok ? 0 : 1;
}

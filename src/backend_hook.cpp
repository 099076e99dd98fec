// The library's backend hook: the engine's chosen backend, unchanged. The
// fault-injection tests build the library with their own definition instead.
#include "backend.hpp"

namespace asio_uring_fixed::detail {

std::unique_ptr<backend> wrap_backend(std::unique_ptr<backend> chosen) {
  return chosen;
}

} // namespace asio_uring_fixed::detail

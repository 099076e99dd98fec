#include <asio_uring_fixed/pool_options.hpp>

namespace asio_uring_fixed {

std::string_view to_string(pool_attachment attachment) noexcept {
  switch (attachment) {
  case pool_attachment::not_attached:
    return "not attached";
  case pool_attachment::registered:
    return "registered";
  case pool_attachment::cloned:
    return "cloned";
  case pool_attachment::registered_again:
    return "registered again";
  case pool_attachment::unregistered:
    return "unregistered";
  }
  return "unknown";
}

} // namespace asio_uring_fixed

#include <asio_uring_fixed/error.hpp>
#include <asio_uring_fixed/service_options.hpp>

#include <string>

namespace asio_uring_fixed {
namespace {

class category_impl final : public error_category {
 public:
  const char* name() const noexcept override { return "asio_uring_fixed"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
    case errc::empty_buffer:
      return "the lease holds no buffer";
    case errc::no_free_slots:
      return "not enough free slots in the ring's registered-buffer table";
    case errc::invalid_pool_size:
      return "buffer count or size out of range";
    case errc::registration_unsupported:
      return "this backend cannot register buffers";
    case errc::no_progress:
      return "the kernel transferred no bytes";
    case errc::service_shut_down:
      return "the service is shut down";
    case errc::portable_requested:
      return "the portable backend was requested";
    case errc::unsupported_kernel:
      return "the kernel lacks IORING_ASYNC_CANCEL_ANY (Linux 5.19), which the io_uring backend "
             "needs";
    case errc::invalid_option:
      return "an option is out of range";
    case errc::invalid_offset:
      return "file offset or offset + length beyond INT64_MAX";
    case errc::wrong_context:
      return "the lease's pool belongs to another io_context than the handler's executor";
    case errc::no_pool:
      return "the pool was not created (see its construction error)";
    }
    return "unknown asio_uring_fixed error " + std::to_string(value);
  }
};

} // namespace

const error_category& category() noexcept {
  static const category_impl instance;
  return instance;
}

std::string_view to_string(backend_kind kind) noexcept {
  return kind == backend_kind::io_uring ? "io_uring" : "portable";
}

} // namespace asio_uring_fixed

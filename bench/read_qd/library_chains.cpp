#include "library_chains.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace read_qd {
namespace {

namespace auf = asio_uring_fixed;

class chain_reader {
 public:
  chain_reader(window& w, int fd, unsigned qd, const auf::registered_file* rf = nullptr)
      : window_(w), fd_(fd), rf_(rf), offsets_(qd) {}

  void issue(auf::fixed_buffer buffer) {
    std::uint64_t offset = window_.next_offset();
    offsets_[buffer.index()] = offset;
    if (rf_)
      auf::async_read_fixed_at(*rf_, offset, std::move(buffer), handler{this});
    else
      auf::async_read_fixed_at(fd_, offset, std::move(buffer), handler{this});
  }

 private:
  // The completion handler: a plain callback object, no allocator, executor
  // or cancellation slot of its own.
  struct handler {
    chain_reader* self;
    void operator()(auf::error_code ec, std::size_t n, auf::fixed_buffer buffer) const {
      self->on_read(ec, n, std::move(buffer));
    }
  };

  void on_read(auf::error_code ec, std::size_t n, auf::fixed_buffer buffer) {
    if (ec)
      window_.fail("async_read_fixed_at: " + ec.message());
    else
      window_.verify(buffer.data(), n, offsets_[buffer.index()]);
    if (window_.complete())
      issue(std::move(buffer));
  }

  window& window_;
  int fd_;
  const auf::registered_file* rf_;
  std::vector<std::uint64_t> offsets_; // offset in flight, by buffer index
};

} // namespace

namespace {

measurement run_chains(const config& cfg, boost::asio::io_context& context,
                       const auf::pool_options& options, auf::backend_kind expected_backend,
                       bool expect_registered, bool registered_file, bool expect_single_issuer) {
  auto& service = boost::asio::use_service<auf::uring_service>(context);
  if (service.backend() != expected_backend) {
    measurement m;
    m.error = "backend is " + std::string(auf::to_string(service.backend())) +
              " (io_uring: " + service.io_uring_error().message() + ")";
    return m;
  }
  auf::fixed_buffer_pool pool(context, cfg.qd, cfg.block_size, options);
  if (pool.registered() != expect_registered) {
    measurement m;
    m.error = expect_registered ? "pool is not registered" : "pool is registered";
    return m;
  }
  auf::file file(cfg.path,
                 cfg.direct ? auf::file::read_only | auf::file::direct : auf::file::read_only);
  std::optional<auf::registered_file> rf;
  if (registered_file) {
    rf.emplace(context, std::move(file));
    if (!rf->is_registered() || service.single_issuer() != expect_single_issuer) {
      measurement m;
      m.error = !rf->is_registered()
                    ? "file is not registered: " + rf->registration_error().message()
                    : std::string("single issuer is ") + (service.single_issuer() ? "on" : "off");
      return m;
    }
  } else if (service.single_issuer() != expect_single_issuer) {
    measurement m;
    m.error = std::string("single issuer is ") + (service.single_issuer() ? "on" : "off");
    return m;
  }

  window w(cfg);
  chain_reader reader(w, rf ? rf->native_handle() : file.native_handle(), cfg.qd,
                      rf ? &*rf : nullptr);
  for (unsigned i = 0; i < cfg.qd; ++i)
    reader.issue(pool.try_acquire());
  context.run();
  return w.result();
}

} // namespace

measurement run_library_chains(const config& cfg, boost::asio::io_context& context,
                               const auf::pool_options& options, auf::backend_kind expected_backend,
                               bool expect_registered) {
  bool single = boost::asio::use_service<auf::uring_service>(context).single_issuer();
  return run_chains(cfg, context, options, expected_backend, expect_registered, false, single);
}

measurement run_library_chains_registered_file(const config& cfg, boost::asio::io_context& context,
                                               bool expect_single_issuer) {
  return run_chains(cfg, context, auf::pool_options{auf::registration_mode::required},
                    auf::backend_kind::io_uring, true, true, expect_single_issuer);
}

} // namespace read_qd

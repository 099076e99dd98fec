// uring_service members. Inline (compiled in the user's translation units) so
// that they follow the program's own Asio configuration.
#pragma once

#include <asio_uring_fixed/detail/asio.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace asio_uring_fixed {

inline uring_service::uring_service(asio::io_context& context)
    : uring_service(context, service_options{}) {}

namespace detail {

inline ring_factory ring_factory_for([[maybe_unused]] asio::io_context& context) {
#if ASIO_URING_FIXED_HAS_ASIO_RING
  return {&context, &make_asio_ring_backend};
#else
  return {};
#endif
}

} // namespace detail

inline uring_service::uring_service(asio::io_context& context, const service_options& options)
    : asio::execution_context::service(context), context_(context),
      engine_(options, detail::ring_factory_for(context)), wait_(context) {
  engine_.attach_service(this);
  if (engine_.host_delivers()) {
    // Asio's ring: results come through Asio's completions; only the
    // engine's own results (acquire grants) need run_once(), posted.
    engine_.set_wait_hooks({this, &uring_service::arm_nothing, &uring_service::post_run_once});
    return;
  }
  int fd = ::dup(engine_.wait_fd());
  if (fd < 0)
    throw system_error(error_code(errno, system_category()), "asio_uring_fixed: dup");
  wait_.assign(fd);
  engine_.set_wait_hooks({this, &uring_service::arm, &uring_service::kick});
}

inline uring_service& uring_service::install(asio::io_context& context,
                                             const service_options& options) {
  auto* service = new uring_service(context, options);
  try {
    asio::add_service<uring_service>(context, service);
  } catch (...) {
    delete service;
    throw;
  }
  return *service;
}

inline void uring_service::shutdown() {
  engine_.shutdown();
  error_code ignored;
  wait_.close(ignored);
}

inline void uring_service::arm(void* self) {
  auto* s = static_cast<uring_service*>(self);
  s->wait_.async_wait(asio::posix::descriptor_base::wait_read, [s](const error_code&) {
#if defined(ASIO_HAS_IO_URING_AS_DEFAULT) || defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
    // Asio waits with a level-triggered poll here: reset the eventfd, or the
    // next wait fires at once. (epoll's edge-triggered wait needs no read.)
    if (s->engine_.wait_fd_is_eventfd()) {
      std::uint64_t ignored;
      [[maybe_unused]] ssize_t r = ::read(s->wait_.native_handle(), &ignored, sizeof ignored);
    }
#endif
    s->engine_.run_once();
  });
}

inline void uring_service::kick(void* self) {
  error_code ignored;
  static_cast<uring_service*>(self)->wait_.cancel(ignored);
}

inline void uring_service::arm_nothing(void*) {}

inline void uring_service::post_run_once(void* self) {
  auto* s = static_cast<uring_service*>(self);
  asio::post(s->context_, [s] { s->engine_.run_once(); });
}

} // namespace asio_uring_fixed

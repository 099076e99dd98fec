// uring_service members. Inline (compiled in the user's translation units) so
// that they follow the program's own Asio configuration.
#pragma once

#include <boost/asio/posix/descriptor_base.hpp>

#include <unistd.h>

#include <cerrno>

namespace asio_uring_fixed {

inline uring_service::uring_service(asio::io_context& context)
    : uring_service(context, service_options{}) {}

inline uring_service::uring_service(asio::io_context& context, const service_options& options)
    : asio::execution_context::service(context), context_(context), engine_(options),
      wait_(context) {
  int fd = ::dup(engine_.wait_fd());
  if (fd < 0)
    throw system_error(error_code(errno, boost::system::system_category()),
                       "asio_uring_fixed: dup");
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
  s->wait_.async_wait(asio::posix::descriptor_base::wait_read,
                      [s](const error_code&) { s->engine_.run_once(); });
}

inline void uring_service::kick(void* self) {
  error_code ignored;
  static_cast<uring_service*>(self)->wait_.cancel(ignored);
}

} // namespace asio_uring_fixed

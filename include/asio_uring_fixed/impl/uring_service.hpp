// uring_service members. Inline (compiled in the user's translation units) so
// that they follow the program's own Asio configuration.
#pragma once

#include <asio_uring_fixed/detail/asio.hpp>

#include <unistd.h>

#include <cerrno>

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

inline uring_service::lane::lane(uring_service& s, const service_options& options)
    : service(s), engine(options, detail::ring_factory_for(s.context_)), wait(s.context_) {
  engine.attach_service(&s);
  if (engine.host_delivers()) {
    // Asio's ring: results come through Asio's completions; only the
    // engine's own results (acquire grants) need run_once(), posted.
    engine.set_wait_hooks({this, &uring_service::arm_nothing, &uring_service::post_run_once});
    return;
  }
  int fd = ::dup(engine.wait_fd());
  if (fd < 0)
    throw system_error(error_code(errno, system_category()), "asio_uring_fixed: dup");
  wait.assign(fd);
  engine.set_wait_hooks({this, &uring_service::arm, &uring_service::kick});
}

inline uring_service::uring_service(asio::io_context& context, const service_options& options)
    : asio::execution_context::service(context), context_(context) {
  lanes_.push_back(std::make_unique<lane>(*this, options));
  // More rings only where the first is the library's own io_uring ring.
  const detail::engine& first = lanes_.front()->engine;
  if (first.kind() == backend_kind::io_uring && !first.host_delivers())
    for (unsigned i = 1; i < options.rings; ++i)
      lanes_.push_back(std::make_unique<lane>(*this, options));
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

inline std::size_t uring_service::outstanding() const {
  std::size_t n = 0;
  for (const auto& l : lanes_)
    n += l->engine.outstanding();
  return n;
}

inline detail::engine& uring_service::engine_for_this_thread() noexcept {
  if (lanes_.size() == 1)
    return lanes_.front()->engine;
  // The ring whose completions this thread is handling: what its handlers
  // start is batched into that ring's next submission.
  if (detail::engine* current = detail::engine::current())
    if (&current->service() == this)
      return *current;
  // Else one ring per thread, chosen round robin when a thread first starts
  // an operation on this service (again if it moved to another service).
  thread_local const uring_service* cached_service = nullptr;
  thread_local std::size_t cached_lane = 0;
  if (cached_service != this) {
    cached_service = this;
    cached_lane = next_lane_.fetch_add(1, std::memory_order_relaxed) % lanes_.size();
  }
  return lanes_[cached_lane % lanes_.size()]->engine;
}

inline void uring_service::shutdown() {
  for (auto& l : lanes_)
    l->engine.shutdown();
  for (auto& l : lanes_) {
    error_code ignored;
    l->wait.close(ignored);
  }
}

inline void uring_service::arm(void* self) {
  auto* l = static_cast<lane*>(self);
  l->wait.async_wait(asio::posix::descriptor_base::wait_read,
                     [l](const error_code&) { l->engine.run_once(); });
}

inline void uring_service::kick(void* self) {
  error_code ignored;
  static_cast<lane*>(self)->wait.cancel(ignored);
}

inline void uring_service::arm_nothing(void*) {}

inline void uring_service::post_run_once(void* self) {
  auto* l = static_cast<lane*>(self);
  asio::post(l->service.context_, [l] { l->engine.run_once(); });
}

} // namespace asio_uring_fixed

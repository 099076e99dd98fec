#include <asio_uring_fixed/detail/file_ref.hpp>

#include <asio_uring_fixed/error.hpp>

namespace asio_uring_fixed::detail {

file_registration::~file_registration() {
  if (slot >= 0 && anchor) {
    std::lock_guard lock(anchor->mutex);
    if (anchor->owner)
      anchor->owner->release_file(slot);
  }
  // f closes the descriptor after the slot let go of it.
}

std::shared_ptr<file_registration> register_file(engine& e, file&& f) {
  auto r = std::make_shared<file_registration>();
  r->f = std::move(f);
  if (!r->f.is_open()) {
    r->error = error_code(EBADF, system_category());
    return r;
  }
  r->anchor = e.files();
  r->slot = e.register_file(r->f.native_handle(), r->error);
  return r;
}

} // namespace asio_uring_fixed::detail

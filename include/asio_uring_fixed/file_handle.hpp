// What the operations accept as a file: a raw descriptor or any object with
// native_handle() (asio_uring_fixed::file, asio::posix::stream_descriptor,
// asio::random_access_file, ...).
#pragma once

#include <concepts>

namespace asio_uring_fixed {

template <typename T>
concept file_handle = std::convertible_to<T, int> || requires(T& f) {
  { f.native_handle() } -> std::convertible_to<int>;
};

namespace detail {
template <typename File>
int native_fd(File&& f) {
  if constexpr (std::convertible_to<File, int>)
    return static_cast<int>(f);
  else
    return static_cast<int>(f.native_handle());
}
} // namespace detail

} // namespace asio_uring_fixed

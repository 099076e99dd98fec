// What the file-metadata functions accept as the place to run: an io_context
// or an executor (which must belong to one; checked when the operation starts).
#pragma once

#include <asio_uring_fixed/detail/asio.hpp>

#include <type_traits>

namespace asio_uring_fixed::detail {

template <typename Target>
inline constexpr bool is_metadata_target =
    std::is_base_of_v<asio::io_context, Target> || asio::execution::is_executor<Target>::value ||
    asio::is_executor<Target>::value;

} // namespace asio_uring_fixed::detail

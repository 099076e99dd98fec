// The backends compiled into the library: the private io_uring ring and the
// portable thread pool. The interface itself is in detail/backend.hpp, where
// the header-only Asio-ring backend can implement it too.
#pragma once

#include <asio_uring_fixed/detail/backend.hpp>

#include <memory>

namespace asio_uring_fixed::detail {

/// Throws system_error (errc::invalid_option) naming the option, its value
/// and the limit when options cannot be used.
void validate_options(const service_options& options);

std::unique_ptr<backend> make_ring_backend(const service_options& options, error_code& ec);
std::unique_ptr<backend> make_portable_backend(const service_options& options);

/// Called once with the backend the engine chose. The library's definition
/// (backend_hook.cpp) returns it unchanged; the fault-injection tests link a
/// definition that wraps it (tests/faults/), so no hook exists in the library.
std::unique_ptr<backend> wrap_backend(std::unique_ptr<backend> chosen);

} // namespace asio_uring_fixed::detail

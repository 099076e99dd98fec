// Common configuration: namespace aliases and the error_code type used in
// completion signatures.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

namespace asio_uring_fixed {

namespace asio = boost::asio;

/// The error type passed to completion handlers. It is Boost's error_code (what
/// Asio itself uses, so `use_awaitable` and `use_future` throw on error) and it
/// converts implicitly to `std::error_code` with the same value and category.
using error_code = boost::system::error_code;
using system_error = boost::system::system_error;

} // namespace asio_uring_fixed

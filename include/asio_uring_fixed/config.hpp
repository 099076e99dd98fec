// Common configuration: which Asio the library is built for, and the error
// types used in completion signatures. This is the one place that chooses
// between the two flavours; detail/asio.hpp includes the Asio headers
// themselves (this header includes none, so the compiled part stays free of
// Asio).
//
// Flavour: Boost.Asio by default; standalone Asio when
// ASIO_URING_FIXED_STANDALONE is defined. Nobody defines it by hand: the
// CMake target asio_uring_fixed::asio_uring_fixed_standalone (and the
// pkg-config module asio_uring_fixed_standalone) carries the definition, so
// every translation unit that links the standalone build agrees.
#pragma once

#if defined(ASIO_URING_FIXED_STANDALONE)

#include <system_error>

namespace asio {}

namespace asio_uring_fixed {

namespace asio = ::asio;

/// The error type passed to completion handlers: std::error_code, what
/// standalone Asio itself uses (so `use_awaitable` and `use_future` throw
/// std::system_error on error).
using error_code = std::error_code;
using error_category = std::error_category;
using system_error = std::system_error;
using std::generic_category;
using std::system_category;

} // namespace asio_uring_fixed

/// The namespace of error_code's traits (is_error_code_enum).
#define ASIO_URING_FIXED_ERROR_NAMESPACE std

#else

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

namespace boost::asio {}

namespace asio_uring_fixed {

namespace asio = boost::asio;

/// The error type passed to completion handlers. It is Boost's error_code (what
/// Asio itself uses, so `use_awaitable` and `use_future` throw on error) and it
/// converts implicitly to `std::error_code` with the same value and category.
using error_code = boost::system::error_code;
using error_category = boost::system::error_category;
using system_error = boost::system::system_error;
using boost::system::generic_category;
using boost::system::system_category;

} // namespace asio_uring_fixed

/// The namespace of error_code's traits (is_error_code_enum).
#define ASIO_URING_FIXED_ERROR_NAMESPACE boost::system

#endif

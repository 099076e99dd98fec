// Compile-time selection of Asio-ring mode, where the library submits its
// requests to the io_context's own io_uring rings instead of owning a ring of
// its own. It needs an Asio patched for it:
//
// - standalone Asio master (1.38.2) with upstream-proposal/patches/
//   (registered_buffer_slots, start_unordered_op, cancel_unordered_op);
// - Boost.Asio 1.81 with upstream-proposal/backports-1.81/.
//
// The mode is chosen by ASIO_URING_FIXED_ASIO_RING=1, which the CMake option
// of the same name puts on the library's target (so every translation unit of
// a program agrees, as with Asio's own macros); it also defines Asio's
// io_uring macro. With Boost 1.81 the mode is also found by itself when the
// patched headers are on the include path with BOOST_ASIO_HAS_IO_URING (the
// 1.81 series defines BOOST_ASIO_HAS_IO_URING_UNORDERED_OPS). Defining
// ASIO_URING_FIXED_DISABLE_ASIO_RING keeps the private ring regardless.
//
// Defines ASIO_URING_FIXED_HAS_ASIO_RING to 1 or 0.
#pragma once

#include <asio_uring_fixed/config.hpp>

#if defined(ASIO_URING_FIXED_STANDALONE)
#include <asio/detail/config.hpp>
#if defined(ASIO_HAS_IO_URING)
#define ASIO_URING_FIXED_ASIO_IO_URING_ON 1
#endif
#else
#include <boost/asio/detail/config.hpp>
#if defined(BOOST_ASIO_HAS_IO_URING)
#define ASIO_URING_FIXED_ASIO_IO_URING_ON 1
#endif
#endif

#if defined(ASIO_URING_FIXED_DISABLE_ASIO_RING)

#define ASIO_URING_FIXED_HAS_ASIO_RING 0

#elif defined(ASIO_URING_FIXED_ASIO_RING) && ASIO_URING_FIXED_ASIO_RING

#if !defined(ASIO_URING_FIXED_ASIO_IO_URING_ON)
#error                                                                                             \
    "ASIO_URING_FIXED_ASIO_RING needs Asio's io_uring support: define ASIO_HAS_IO_URING (standalone) or BOOST_ASIO_HAS_IO_URING (Boost)"
#endif
#if defined(ASIO_URING_FIXED_STANDALONE) && !__has_include(<asio/registered_buffer_slots.hpp>)
#error                                                                                             \
    "ASIO_URING_FIXED_ASIO_RING needs standalone Asio patched by upstream-proposal/patches/ (no asio/registered_buffer_slots.hpp on the include path)"
#endif
#if !defined(ASIO_URING_FIXED_STANDALONE) && !__has_include(<boost/asio/registered_buffer_slots.hpp>)
#error                                                                                             \
    "ASIO_URING_FIXED_ASIO_RING needs Boost.Asio 1.81 patched by upstream-proposal/backports-1.81/ (no boost/asio/registered_buffer_slots.hpp on the include path)"
#endif
#define ASIO_URING_FIXED_HAS_ASIO_RING 1

#elif !defined(ASIO_URING_FIXED_STANDALONE) && defined(BOOST_ASIO_HAS_IO_URING) &&                 \
    __has_include(<boost/asio/registered_buffer_slots.hpp>)

// Boost 1.81 with the backports: the series says so with a macro.
#include <boost/asio/detail/io_uring_service.hpp>
#if defined(BOOST_ASIO_HAS_IO_URING_UNORDERED_OPS)
#define ASIO_URING_FIXED_HAS_ASIO_RING 1
#else
#define ASIO_URING_FIXED_HAS_ASIO_RING 0
#endif

#else

#define ASIO_URING_FIXED_HAS_ASIO_RING 0

#endif

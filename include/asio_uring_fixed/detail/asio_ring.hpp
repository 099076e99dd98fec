// Compile-time detection of Asio-ring mode: with a Boost.Asio patched by
// upstream-proposal/backports-1.81/ (registered_buffer_slots, 0007; unordered operations,
// 0008) and built with BOOST_ASIO_HAS_IO_URING, the library submits its
// requests to Asio's own ring instead of owning a second one. Defines
// ASIO_URING_FIXED_HAS_ASIO_RING to 1 or 0. Define
// ASIO_URING_FIXED_DISABLE_ASIO_RING to keep the private ring regardless
// (every translation unit of a program must agree, as with Asio's macros).
// The patch series is against Boost.Asio: the standalone flavour always keeps
// the private ring.
#pragma once

#include <asio_uring_fixed/config.hpp>

#if !defined(ASIO_URING_FIXED_STANDALONE)
#include <boost/asio/detail/config.hpp>
#endif

#if !defined(ASIO_URING_FIXED_STANDALONE) && !defined(ASIO_URING_FIXED_DISABLE_ASIO_RING) &&       \
    defined(BOOST_ASIO_HAS_IO_URING) && __has_include(<boost/asio/registered_buffer_slots.hpp>)
#include <boost/asio/detail/io_uring_service.hpp>
#endif

#if !defined(ASIO_URING_FIXED_STANDALONE) && !defined(ASIO_URING_FIXED_DISABLE_ASIO_RING) &&       \
    defined(BOOST_ASIO_HAS_IO_URING) && defined(BOOST_ASIO_HAS_IO_URING_UNORDERED_OPS)
#define ASIO_URING_FIXED_HAS_ASIO_RING 1
#else
#define ASIO_URING_FIXED_HAS_ASIO_RING 0
#endif

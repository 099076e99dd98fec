// Every Asio header the library's templates need, from the flavour that
// config.hpp selected (Boost.Asio, or standalone Asio under
// ASIO_URING_FIXED_STANDALONE). The other headers include this one instead
// of naming an Asio path, and spell Asio's namespace `asio::` (the alias in
// config.hpp). Supported: Boost.Asio from Boost 1.81 (Asio 1.26) on, and
// standalone Asio 1.26 or newer; the builds tested are listed in the README.
#pragma once

#include <asio_uring_fixed/config.hpp>

#if defined(ASIO_URING_FIXED_STANDALONE)

#include <asio/version.hpp>
#if ASIO_VERSION < 102600
#error "asio_uring_fixed needs standalone Asio 1.26 or newer"
#endif

#include <asio/any_io_executor.hpp>
#include <asio/append.hpp>
#include <asio/associated_allocator.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/compose.hpp>
#include <asio/error.hpp>
#include <asio/execution/allocator.hpp>
#include <asio/execution/blocking.hpp>
#include <asio/execution/context.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/execution_context.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/descriptor_base.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/query.hpp>
#include <asio/recycling_allocator.hpp>
#include <asio/system_executor.hpp>

#else

#include <boost/asio/version.hpp>
#if BOOST_ASIO_VERSION < 102600
#error "asio_uring_fixed needs Boost.Asio 1.26 (Boost 1.81) or newer"
#endif

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/allocator.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/descriptor_base.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/system_executor.hpp>

#endif

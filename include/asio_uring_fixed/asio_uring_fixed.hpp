// asio_uring_fixed: io_uring fixed (registered) buffers for Asio programs.
#pragma once

#include <asio_uring_fixed/config.hpp>
#include <asio_uring_fixed/copy_fixed.hpp>
#include <asio_uring_fixed/error.hpp>
#include <asio_uring_fixed/file.hpp>
#include <asio_uring_fixed/file_handle.hpp>
#include <asio_uring_fixed/file_operations.hpp>
#include <asio_uring_fixed/fixed_buffer.hpp>
#include <asio_uring_fixed/fixed_buffer_pool.hpp>
#include <asio_uring_fixed/pool_options.hpp>
#include <asio_uring_fixed/read_write_fixed.hpp>
#include <asio_uring_fixed/registered_file.hpp>
#include <asio_uring_fixed/service_options.hpp>
#include <asio_uring_fixed/uring_service.hpp>

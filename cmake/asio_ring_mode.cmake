# Checks, at configure time, that the Asio found for this flavour has what
# Asio-ring mode needs (ASIO_URING_FIXED_ASIO_RING=ON), so that a user with
# unpatched headers gets one clear message instead of errors deep in Asio.
include(CheckCXXSourceCompiles)
include(CMakePushCheckState)

cmake_push_check_state(RESET)
set(CMAKE_REQUIRED_QUIET ON)
set(CMAKE_REQUIRED_LIBRARIES PkgConfig::LIBURING Threads::Threads)
if(ASIO_URING_FIXED_FLAVOUR STREQUAL "standalone")
  set(CMAKE_REQUIRED_INCLUDES ${ASIO_URING_FIXED_ASIO_INCLUDE_DIR})
  set(CMAKE_REQUIRED_DEFINITIONS -DASIO_HAS_IO_URING)
  set(_auf_ns asio)
  set(_auf_dir asio)
  set(_auf_series "standalone Asio master (1.38.2) patched by upstream-proposal/patches/")
  # The master series also adds a direct cancellation of one request.
  set(_auf_extra "s.cancel_unordered_op(o, static_cast<asio::detail::io_uring_operation*>(nullptr));")
else()
  set(CMAKE_REQUIRED_INCLUDES ${Boost_INCLUDE_DIRS})
  set(CMAKE_REQUIRED_DEFINITIONS -DBOOST_ASIO_HAS_IO_URING)
  set(_auf_ns boost::asio)
  set(_auf_dir boost/asio)
  set(_auf_series "Boost.Asio 1.81 patched by upstream-proposal/backports-1.81/")
  set(_auf_extra "s.cancel_unordered_op_by_key(o, nullptr);")
endif()
check_cxx_source_compiles("
#include <${_auf_dir}/io_context.hpp>
#include <${_auf_dir}/registered_buffer_slots.hpp>
#include <${_auf_dir}/detail/io_uring_service.hpp>
int main() {
  ${_auf_ns}::io_context ctx;
  auto& s = ${_auf_ns}::use_service<${_auf_ns}::detail::io_uring_service>(ctx);
  ${_auf_ns}::detail::io_uring_service::per_io_object_data o = nullptr;
  s.start_unordered_op(o, static_cast<${_auf_ns}::detail::io_uring_operation*>(nullptr), false);
  ${_auf_extra}
  ${_auf_ns}::registered_buffer_slots slots(ctx, 1);
  return 0;
}" ASIO_URING_FIXED_ASIO_RING_USABLE)
set(_auf_searched "${CMAKE_REQUIRED_INCLUDES}")
cmake_pop_check_state()
if(NOT ASIO_URING_FIXED_ASIO_RING_USABLE)
  unset(ASIO_URING_FIXED_ASIO_RING_USABLE CACHE)
  message(FATAL_ERROR "ASIO_URING_FIXED_ASIO_RING=ON needs ${_auf_series}; the Asio headers "
                      "found (${_auf_searched}) do not have it. Apply the series "
                      "(see upstream-proposal/README.md) or set ASIO_URING_FIXED_ASIO_RING=OFF.")
endif()
message(STATUS "asio_uring_fixed: Asio-ring mode (requests go to Asio's own io_uring rings)")

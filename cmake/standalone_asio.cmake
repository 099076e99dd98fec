# Finds standalone Asio's headers for the standalone flavour and defines the
# imported target asio_uring_fixed::asio. ASIO_URING_FIXED_ASIO_INCLUDE_DIR
# (the directory holding asio.hpp) may be given; otherwise the usual search
# path (CMAKE_PREFIX_PATH, /usr/include) is searched.
#
# Supported: Asio 1.26 or newer (the Asio of Boost 1.81, the oldest Boost.Asio
# supported); tested: 1.38.2. Debian 12's libasio-dev is 1.22.1, older than
# 1.23 where asio::append (which the library uses) left experimental.
find_path(ASIO_URING_FIXED_ASIO_INCLUDE_DIR asio.hpp
  DOC "Directory holding standalone Asio's asio.hpp")
if(NOT ASIO_URING_FIXED_ASIO_INCLUDE_DIR OR NOT EXISTS ${ASIO_URING_FIXED_ASIO_INCLUDE_DIR}/asio/version.hpp)
  message(FATAL_ERROR "standalone Asio not found: set ASIO_URING_FIXED_ASIO_INCLUDE_DIR "
                      "to the directory holding asio.hpp")
endif()
file(STRINGS ${ASIO_URING_FIXED_ASIO_INCLUDE_DIR}/asio/version.hpp _auf_asio_version_line
     REGEX "^#define ASIO_VERSION [0-9]+")
string(REGEX REPLACE "^#define ASIO_VERSION ([0-9]+).*" "\\1" _auf_asio_version "${_auf_asio_version_line}")
math(EXPR _auf_asio_major "${_auf_asio_version} / 100000")
math(EXPR _auf_asio_minor "${_auf_asio_version} / 100 % 1000")
math(EXPR _auf_asio_patch "${_auf_asio_version} % 100")
set(ASIO_URING_FIXED_ASIO_VERSION ${_auf_asio_major}.${_auf_asio_minor}.${_auf_asio_patch})
if(ASIO_URING_FIXED_ASIO_VERSION VERSION_LESS 1.26)
  message(FATAL_ERROR "standalone Asio ${ASIO_URING_FIXED_ASIO_VERSION} in "
                      "${ASIO_URING_FIXED_ASIO_INCLUDE_DIR} is too old: asio_uring_fixed needs 1.26 or newer")
endif()
message(STATUS "asio_uring_fixed: standalone Asio ${ASIO_URING_FIXED_ASIO_VERSION} in ${ASIO_URING_FIXED_ASIO_INCLUDE_DIR}")

# The same definition is installed next to the package (found again there,
# with this directory as a hint), so the exported target can name it.
configure_file(${CMAKE_CURRENT_LIST_DIR}/asio_uring_fixed_standalone-asio.cmake.in
               ${CMAKE_CURRENT_BINARY_DIR}/asio_uring_fixed_standalone-asio.cmake @ONLY)
include(${CMAKE_CURRENT_BINARY_DIR}/asio_uring_fixed_standalone-asio.cmake)

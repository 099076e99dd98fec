# The pkg-config module of this build's flavour, installed next to the CMake
# package: asio_uring_fixed.pc (Boost.Asio) or asio_uring_fixed_standalone.pc
# (standalone Asio; its Cflags carry ASIO_URING_FIXED_STANDALONE).
set(_auf_pc_cflags "-I\${includedir}")
if(ASIO_URING_FIXED_FLAVOUR STREQUAL "standalone")
  string(APPEND _auf_pc_cflags " -DASIO_URING_FIXED_STANDALONE")
  if(NOT ASIO_URING_FIXED_ASIO_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    string(APPEND _auf_pc_cflags " -I${ASIO_URING_FIXED_ASIO_INCLUDE_DIR}")
  endif()
  set(_auf_pc_description "io_uring fixed (registered) buffers for standalone Asio programs")
  set(_auf_pc_needs "standalone Asio 1.26 or newer")
else()
  set(_auf_pc_description "io_uring fixed (registered) buffers for Boost.Asio programs")
  set(_auf_pc_needs "Boost 1.81 or newer (headers)")
endif()
if(ASIO_URING_FIXED_ASIO_RING)
  string(APPEND _auf_pc_cflags " -DASIO_URING_FIXED_ASIO_RING=1 -D${ASIO_URING_FIXED_ASIO_IO_URING_MACRO}")
endif()
# A static library needs liburing at link time; a shared one links it itself.
if(BUILD_SHARED_LIBS)
  set(_auf_pc_requires "Requires.private: liburing >= 2.3")
else()
  set(_auf_pc_requires "Requires: liburing >= 2.3")
endif()
# Relocatable: the prefix is found from the .pc file's own place, so
# `cmake --install --prefix DIR` gives a module that points into DIR.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(_auf_pc_prefix "${CMAKE_INSTALL_PREFIX}")
else()
  set(_auf_pc_prefix "\${pcfiledir}/..")
  string(REPLACE "/" ";" _auf_libdir_parts "${CMAKE_INSTALL_LIBDIR}")
  foreach(_auf_part IN LISTS _auf_libdir_parts)
    string(APPEND _auf_pc_prefix "/..")
  endforeach()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/asio_uring_fixed.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/${ASIO_URING_FIXED_TARGET}.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${ASIO_URING_FIXED_TARGET}.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

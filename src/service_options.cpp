// Checks of service_options, made when the service is created so that a bad
// value is reported with its name and limit instead of a bare errno later.
#include "backend.hpp"

#include <asio_uring_fixed/error.hpp>

#include <liburing.h>

#include <string>

namespace asio_uring_fixed::detail {
namespace {

constexpr unsigned max_ring_entries = 32768; // IORING_MAX_ENTRIES
constexpr unsigned max_table_slots = 16384;  // the kernel's registered-buffer limit
constexpr unsigned max_portable_threads = 1024;
constexpr unsigned max_rings = 64;

[[noreturn]] void refuse(const std::string& what) {
  throw system_error(make_error_code(errc::invalid_option), "asio_uring_fixed: " + what);
}

void check_range(const char* name, unsigned value, unsigned low, unsigned high) {
  if (value < low || value > high)
    refuse(std::string("service_options::") + name + " is " + std::to_string(value) +
           "; it must be " + std::to_string(low) + ".." + std::to_string(high));
}

} // namespace

void validate_options(const service_options& options) {
  check_range("ring_entries", options.ring_entries, 1, max_ring_entries);
  check_range("registered_buffer_slots", options.registered_buffer_slots, 0, max_table_slots);
  check_range("portable_threads", options.portable_threads, 1, max_portable_threads);
  check_range("rings", options.rings, 1, max_rings);
  if (options.setup_flags) {
    unsigned flags = *options.setup_flags;
    // SQPOLL: the kernel thread reads cancellation requests after the
    // engine's lock is released, when the target's address may belong to a
    // new operation. IOPOLL: completions would need busy polling and never
    // wake the io_context.
    if (flags & IORING_SETUP_SQPOLL)
      refuse("service_options::setup_flags has IORING_SETUP_SQPOLL, which the library does not "
             "support");
    if (flags & IORING_SETUP_IOPOLL)
      refuse("service_options::setup_flags has IORING_SETUP_IOPOLL, which the library does not "
             "support");
  }
}

} // namespace asio_uring_fixed::detail

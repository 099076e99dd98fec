// The variants under comparison; each runs one round and returns what its
// measurement window saw. Setup (contexts, rings, registration, opening
// files) and teardown happen outside the window.
#pragma once

#include "harness.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace read_qd {

/// This library, registered pool: async_read_fixed_at -> READ_FIXED.
measurement run_library_fixed(const config& cfg);

/// This library, registered pool, on a registered_file (IOSQE_FIXED_FILE).
measurement run_library_fixed_regfile(const config& cfg);

/// This library, registered pool, service_options::single_issuer.
measurement run_library_fixed_single(const config& cfg);

/// Both of the above.
measurement run_library_fixed_single_regfile(const config& cfg);

/// This library, pool_options{registration_mode::none}: plain READ.
measurement run_library_unregistered(const config& cfg);

/// This library on the portable backend (pread on worker threads).
measurement run_library_portable(const config& cfg);

/// Raw liburing loop with io_uring_register_buffers and READ_FIXED.
measurement run_raw_liburing(const config& cfg);

/// The same loop with a registered file (IOSQE_FIXED_FILE) and
/// SINGLE_ISSUER | DEFER_TASKRUN (fio t/io_uring's defaults).
measurement run_raw_liburing_tuned(const config& cfg);

/// A sequence of pread(2) calls (queue depth does not apply).
measurement run_pread(const config& cfg);

/// Asio 1.81 random_access_file: qd chains on one file object.
measurement run_asio_file_one(const config& cfg);

/// Asio 1.81 random_access_file: one file object per chain.
measurement run_asio_file_per_chain(const config& cfg);

/// fio, ioengine=io_uring, fixedbufs=1 (a child process; see fio.cpp).
measurement run_fio_fixed(const config& cfg);

/// fio, ioengine=io_uring, fixedbufs=0.
measurement run_fio_unregistered(const config& cfg);

/// The fio command lines run so far (without --output), for the report.
const std::vector<std::string>& fio_commands();

struct variant {
  std::string_view id;    // for options, CSV and JSON
  std::string_view label; // for the table
  measurement (*run)(const config&);
  bool library;           // subject to the zero-allocation target
  bool by_default = true; // runs when --variants is not given
};

/// Every variant, in the order they run within a round.
inline constexpr variant all_variants[] = {
    {"lib_fixed", "asio_uring_fixed, registered (READ_FIXED)", run_library_fixed, true},
    {"lib_fixed_regfile", "asio_uring_fixed, READ_FIXED, registered file",
     run_library_fixed_regfile, true},
    {"lib_fixed_single", "asio_uring_fixed, READ_FIXED, single_issuer", run_library_fixed_single,
     true},
    {"lib_fixed_single_regfile", "asio_uring_fixed, READ_FIXED, single_issuer + registered file",
     run_library_fixed_single_regfile, true},
    {"lib_unregistered", "asio_uring_fixed, registration_mode::none (READ)",
     run_library_unregistered, true},
    {"lib_portable", "asio_uring_fixed, portable backend (pread threads)", run_library_portable,
     true},
    {"raw_liburing", "raw liburing, READ_FIXED", run_raw_liburing, false},
    {"raw_liburing_tuned", "raw liburing, READ_FIXED, registered file, SINGLE_ISSUER|DEFER_TASKRUN",
     run_raw_liburing_tuned, false},
    {"pread", "pread loop (QD 1 by nature)", run_pread, false},
    {"asio_file_one", "Asio 1.81 random_access_file, 1 object", run_asio_file_one, false},
    {"asio_file_per_chain", "Asio 1.81 random_access_file, QD objects", run_asio_file_per_chain,
     false},
    {"fio_fixed", "fio io_uring, fixedbufs=1", run_fio_fixed, false, false},
    {"fio_unregistered", "fio io_uring, fixedbufs=0", run_fio_unregistered, false, false},
};

} // namespace read_qd

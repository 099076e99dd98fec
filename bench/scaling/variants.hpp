// The variants the scaling benchmark compares; each runs one round on
// cfg.threads threads. Setup (contexts, rings, pools, registration, files)
// and teardown are outside the window.
#pragma once

#include "workers.hpp"

#include <string_view>

namespace scaling {

/// This library, an io_context per thread, one fixed_buffer_pool shared by
/// all of them (registered once, cloned into the other rings).
measurement run_library_shared_pool(const config& cfg);

/// This library, an io_context per thread, a pool each.
measurement run_library_pool_each(const config& cfg);

/// This library, one io_context (one ring) run on cfg.threads threads,
/// cfg.threads × qd chains.
measurement run_library_one_context(const config& cfg);

/// As above with service_options::rings = cfg.threads (a ring per run()
/// thread inside the one context).
measurement run_library_one_context_rings(const config& cfg);

/// Raw liburing: a ring per thread, registered buffers, READ_FIXED.
measurement run_raw_liburing(const config& cfg);

/// Asio 1.81 random_access_file, an io_context per thread, one file object
/// per read in flight.
measurement run_asio_file(const config& cfg);

struct variant {
  std::string_view id;
  std::string_view label;
  measurement (*run)(const config&);
};

inline constexpr variant all_variants[] = {
    {"lib_shared_pool", "library, context per thread, one shared pool", run_library_shared_pool},
    {"lib_pool_each", "library, context per thread, a pool each", run_library_pool_each},
    {"lib_one_context", "library, one context on N threads (1 ring)", run_library_one_context},
    {"lib_one_context_rings", "library, one context on N threads, rings = N",
     run_library_one_context_rings},
    {"raw_liburing", "raw liburing, ring per thread, READ_FIXED", run_raw_liburing},
    {"asio_file", "Asio 1.81 random_access_file, context per thread, object per op", run_asio_file},
};

} // namespace scaling

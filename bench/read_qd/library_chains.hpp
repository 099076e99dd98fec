// The driver shared by the library variants: QD leases, each kept in
// flight by re-issuing async_read_fixed_at from its completion handler (a
// plain callback).
#pragma once

#include "harness.hpp"

#include <asio_uring_fixed/asio_uring_fixed.hpp>

#include <string_view>

namespace read_qd {

/// Runs one round on `context` (whose uring_service is already set up as the
/// variant wants) with a pool of cfg.qd buffers created with `options`.
/// Fails the round unless the pool's registration state and the service's
/// backend are the expected ones, so a silent fallback cannot pass as the
/// variant it claims to be.
measurement run_library_chains(const config& cfg, boost::asio::io_context& context,
                               const asio_uring_fixed::pool_options& options,
                               asio_uring_fixed::backend_kind expected_backend,
                               bool expect_registered);

/// The same with the file as a registered_file (IOSQE_FIXED_FILE), and the
/// round failed unless it is registered and the ring's single-issuer state
/// is expect_single_issuer.
measurement run_library_chains_registered_file(const config& cfg, boost::asio::io_context& context,
                                               bool expect_single_issuer);

} // namespace read_qd

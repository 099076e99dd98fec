// Variants: this library with a registered pool (READ_FIXED); with a
// registered file (IOSQE_FIXED_FILE), a single-issuer ring, or both.
#include "library_chains.hpp"
#include "variants.hpp"

namespace read_qd {

measurement run_library_fixed(const config& cfg) {
  namespace auf = asio_uring_fixed;
  boost::asio::io_context context(1);
  return run_library_chains(cfg, context, auf::pool_options{auf::registration_mode::required},
                            auf::backend_kind::io_uring, true);
}

namespace {

measurement run_fixed_with(const config& cfg, bool single_issuer, bool registered_file) {
  namespace auf = asio_uring_fixed;
  boost::asio::io_context context(1);
  auf::service_options options;
  options.single_issuer = single_issuer;
  auf::uring_service::install(context, options);
  if (registered_file)
    return run_library_chains_registered_file(cfg, context, single_issuer);
  return run_library_chains(cfg, context, auf::pool_options{auf::registration_mode::required},
                            auf::backend_kind::io_uring, true);
}

} // namespace

measurement run_library_fixed_regfile(const config& cfg) {
  return run_fixed_with(cfg, false, true);
}

measurement run_library_fixed_single(const config& cfg) {
  measurement m = run_fixed_with(cfg, true, false);
  return m;
}

measurement run_library_fixed_single_regfile(const config& cfg) {
  return run_fixed_with(cfg, true, true);
}

} // namespace read_qd

// Variant: this library with a registered pool (READ_FIXED).
#include "library_chains.hpp"
#include "variants.hpp"

namespace read_qd {

measurement run_library_fixed(const config& cfg) {
  namespace auf = asio_uring_fixed;
  boost::asio::io_context context(1);
  return run_library_chains(cfg, context, auf::pool_options{auf::registration_mode::required},
                            auf::backend_kind::io_uring, true);
}

} // namespace read_qd

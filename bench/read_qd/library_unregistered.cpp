// Variant: this library with pool_options{registration_mode::none}: the same
// ring, plain READ into the pool's memory.
#include "library_chains.hpp"
#include "variants.hpp"

namespace read_qd {

measurement run_library_unregistered(const config& cfg) {
  namespace auf = asio_uring_fixed;
  boost::asio::io_context context(1);
  return run_library_chains(cfg, context, auf::pool_options{auf::registration_mode::none},
                            auf::backend_kind::io_uring, false);
}

} // namespace read_qd

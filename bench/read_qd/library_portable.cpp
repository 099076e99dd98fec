// Variant: this library on the portable backend (pread/pwrite on worker
// threads), installed before anything else uses the service.
#include "library_chains.hpp"
#include "variants.hpp"

namespace read_qd {

measurement run_library_portable(const config& cfg) {
  namespace auf = asio_uring_fixed;
  boost::asio::io_context context(1);
  auf::service_options options; // (designated init would warn about the other members)
  options.backend = auf::backend_preference::portable;
  auf::uring_service::install(context, options);
  return run_library_chains(cfg, context, auf::pool_options{}, auf::backend_kind::portable, false);
}

} // namespace read_qd

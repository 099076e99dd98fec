#include "pipeline_setup.hpp"

#include "extents.hpp"
#include "text.hpp"

#include <asio_uring_fixed/uring_service.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string_view>

namespace uring_cp {

namespace auf = asio_uring_fixed;

pool_shape shape_pool(const options& opts, const copy_plan& plan) {
  std::uint64_t largest = 0;
  for (const copy_item& f : plan.files)
    largest = std::max<std::uint64_t>(largest, static_cast<std::uint64_t>(f.source_stat.st_size));
  pool_shape shape;
  shape.buffer_size = static_cast<std::size_t>(std::min<std::uint64_t>(
      opts.block_size, std::max<std::uint64_t>(4096, round_up(largest, 4096))));
  std::uint64_t blocks = 0;
  for (const copy_item& f : plan.files) {
    blocks += std::max<std::uint64_t>(
        1, (static_cast<std::uint64_t>(f.source_stat.st_size) + shape.buffer_size - 1) /
               shape.buffer_size);
    if (blocks >= opts.queue_depth)
      break;
  }
  shape.count = static_cast<std::size_t>(std::clamp<std::uint64_t>(blocks, 1, opts.queue_depth));
  return shape;
}

std::optional<auf::fixed_buffer_pool> make_pool(boost::asio::io_context& io, copy_method method,
                                                bool method_was_requested, const pool_shape& shape,
                                                console& out) {
  auf::service_options service;
  bool need_ring = method == copy_method::fixed && method_was_requested;
  service.backend =
      need_ring ? auf::backend_preference::io_uring : auf::backend_preference::automatic;
  // Each linked copy takes two submission entries; let one batch hold all.
  service.ring_entries = std::max(256u, std::bit_ceil(static_cast<unsigned>(2 * shape.count)));
  try {
    auf::uring_service::install(io, service);
  } catch (const std::exception& e) {
    out.error(fmt::format("--method=fixed needs io_uring, which cannot be set up here ({}); "
                          "use --method=posix or --method=kernel",
                          e.what()));
    return std::nullopt;
  }
  auf::pool_options pool;
  pool.registration = method == copy_method::plain ? auf::registration_mode::none
                      : method_was_requested       ? auf::registration_mode::required
                                                   : auf::registration_mode::if_possible;
  try {
    return std::optional<auf::fixed_buffer_pool>(std::in_place, io, shape.count, shape.buffer_size,
                                                 pool);
  } catch (const std::exception& e) {
    if (pool.registration == auf::registration_mode::required)
      out.error(fmt::format("cannot register {} buffers of {} for --method=fixed: {}; lower "
                            "--queue-depth or --block-size, raise RLIMIT_MEMLOCK, or use "
                            "--method=plain",
                            shape.count, human_bytes(shape.buffer_size), e.what()));
    else
      out.error(fmt::format("cannot allocate {} buffers of {}: {}", shape.count,
                            human_bytes(shape.buffer_size), e.what()));
    return std::nullopt;
  }
}

std::string describe_pipeline(boost::asio::io_context& io, const auf::fixed_buffer_pool& pool) {
  auto& service = boost::asio::use_service<auf::uring_service>(io);
  std::string backend = fmt::format("{} backend", auf::to_string(service.backend()));
  const char* forced = std::getenv("ASIO_URING_FIXED_BACKEND");
  if (service.backend() != auf::backend_kind::io_uring) {
    if (forced && std::string_view(forced) == "portable")
      backend += " (ASIO_URING_FIXED_BACKEND=portable)";
    else if (service.io_uring_error())
      backend += fmt::format(" (io_uring unavailable: {})", service.io_uring_error().message());
  }
  std::string registration = pool.registered() ? "registered (READ_FIXED/WRITE_FIXED)"
                             : service.backend() == auf::backend_kind::io_uring
                                 ? "not registered (plain READ/WRITE)"
                                 : "not registered (the portable backend has no ring)";
  return fmt::format("pipeline: {}, {} buffers of {}, {}", backend, pool.size(),
                     human_bytes(pool.buffer_size()), registration);
}

} // namespace uring_cp

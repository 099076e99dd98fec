#include "finalize.hpp"

#include "attributes.hpp"
#include "verify.hpp"

#include <unistd.h>

#include <cerrno>

namespace uring_cp {

finalize_result finalize_file(const copy_item& item, file_pair& pair, std::uint64_t final_size,
                              run_context& ctx) {
  const options& opts = ctx.opts;
  if (ctx.stop_requested())
    return {false, interrupted()};
  if (auto f = source_changed(item, pair, final_size))
    return {false, std::move(f)};
  // The writes leave the size right unless blocks were padded (O_DIRECT),
  // holes skipped, or the source ended early.
  if (pair.alignment || pair.sparse || final_size != pair.size) {
    asio_uring_fixed::error_code ec;
    pair.destination.file().resize(final_size, ec);
    if (ec)
      return {false, path_failure("cannot set the size of", item.destination, ec)};
  }
  if (opts.verify)
    if (auto f = verify_copy(item, pair, final_size, opts.fsync, ctx.stopping))
      return {false, std::move(f)};
  if (auto f = apply_file_attributes(pair.source.native_handle(), pair.destination.fd(), item,
                                     opts.keep, ctx.umask, ctx.out))
    return {false, std::move(f)};
  if (opts.fsync && ::fsync(pair.destination.fd()) != 0)
    return {false, path_failure("error syncing", item.destination, errno)};
  if (ctx.stop_requested())
    return {false, interrupted()};
  pair.source.close();
  std::error_code rename_ec = pair.destination.commit(opts.no_clobber, opts.fsync);
  if (rename_ec == std::errc::file_exists && opts.no_clobber)
    return {false, std::nullopt}; // appeared meanwhile: -n keeps it
  if (rename_ec && pair.destination.in_place() && item.linked)
    item.linked->committed = true;
  if (rename_ec && pair.destination.in_place()) // renamed; the directory fsync failed
    return {true, path_failure("error syncing the directory of", item.destination, rename_ec)};
  if (rename_ec)
    return {false, path_failure("cannot create regular file", item.destination, rename_ec)};
  if (item.linked)
    item.linked->committed = true;
  return {true, std::nullopt};
}

} // namespace uring_cp

// The library's variants: an io_context per thread (one shared pool, or a
// pool each) and one io_context run on every thread (one ring, or a ring per
// thread). Each thread keeps qd leases in flight, re-issuing
// async_read_fixed_at from a plain completion callback, as read_qd's
// library variants do; the first reads of a thread are posted to its
// context, so they start inside that thread's run().
#include "variants.hpp"

#include <asio_uring_fixed/asio_uring_fixed.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scaling {
namespace {

namespace asio = boost::asio;
namespace auf = asio_uring_fixed;

struct chain {
  int fd = -1;
  offset_cursor cursor;
  std::uint64_t offset = 0;

  void issue(auf::fixed_buffer buffer) {
    offset = cursor.take();
    auf::async_read_fixed_at(fd, offset, std::move(buffer), handler{this});
  }

  struct handler {
    chain* self;
    void operator()(auf::error_code ec, std::size_t n, auf::fixed_buffer buffer) const {
      worker& w = this_worker();
      if (ec)
        w.fail("async_read_fixed_at: " + ec.message());
      else if (w.complete(buffer.data(), n, self->offset))
        self->issue(std::move(buffer));
    }
  };
};

/// The descriptors (one per thread) and chains (qd per thread) of a run.
struct readers {
  std::vector<int> fds;
  std::vector<chain> chains;
  std::vector<auf::fixed_buffer> leases; // by chain, until issued
  std::string error;

  explicit readers(const config& cfg) : chains(std::size_t{cfg.threads} * cfg.qd) {
    int flags = O_RDONLY | O_CLOEXEC | (cfg.direct ? O_DIRECT : 0);
    for (unsigned t = 0; t < cfg.threads; ++t) {
      int fd = ::open(cfg.path.c_str(), flags);
      if (fd < 0) {
        error = "open: " + std::string(std::strerror(errno));
        return;
      }
      fds.push_back(fd);
    }
    for (std::size_t c = 0; c < chains.size(); ++c) {
      chains[c].fd = fds[c / cfg.qd];
      chains[c].cursor =
          offset_cursor(cfg, static_cast<unsigned>(c), static_cast<unsigned>(chains.size()));
    }
  }
  ~readers() {
    for (int fd : fds)
      ::close(fd);
  }
  readers(const readers&) = delete;
  readers& operator=(const readers&) = delete;

  /// Takes one lease per chain from pool (chains [first, first + count)).
  bool take(auf::fixed_buffer_pool& pool, std::size_t first, std::size_t count) {
    leases.resize(chains.size());
    for (std::size_t c = first; c < first + count; ++c) {
      leases[c] = pool.try_acquire();
      if (!leases[c]) {
        error = "the pool ran out of buffers";
        return false;
      }
    }
    return true;
  }

  /// Posts thread t's first reads to context, then runs it on this thread.
  void run_thread(const config& cfg, asio::io_context& context, unsigned t) {
    asio::post(context, [this, &cfg, t] {
      for (unsigned i = 0; i < cfg.qd; ++i) {
        std::size_t c = std::size_t{t} * cfg.qd + i;
        chains[c].issue(std::move(leases[c]));
      }
    });
    context.run();
  }
};

std::optional<std::string> not_on_io_uring(asio::io_context& context) {
  auto& service = asio::use_service<auf::uring_service>(context);
  if (service.backend() == auf::backend_kind::io_uring)
    return std::nullopt;
  return "backend is " + std::string(auf::to_string(service.backend())) +
         " (io_uring: " + service.io_uring_error().message() + ")";
}

/// "registered,cloned,..." for the contexts in order.
std::string attachments(const auf::fixed_buffer_pool& pool,
                        const std::vector<std::unique_ptr<asio::io_context>>& contexts) {
  std::string s;
  for (auto& c : contexts)
    s += (s.empty() ? "" : "+") + std::string(auf::to_string(pool.attachment(*c)));
  return s;
}

measurement run_context_per_thread(const config& cfg, bool shared) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::io_context*> list;
  for (unsigned t = 0; t < cfg.threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    list.push_back(contexts.back().get());
    if (auto why = not_on_io_uring(*contexts.back()))
      return failed(*why);
  }
  const auf::pool_options required{auf::registration_mode::required};
  readers r(cfg);
  if (!r.error.empty())
    return failed(r.error);
  std::vector<std::unique_ptr<auf::fixed_buffer_pool>> pools; // destroyed before the contexts
  std::string note;
  if (shared) {
    pools.push_back(std::make_unique<auf::fixed_buffer_pool>(
        std::span<asio::io_context* const>(list), std::size_t{cfg.threads} * cfg.qd, cfg.block_size,
        required));
    if (!r.take(*pools[0], 0, r.chains.size()))
      return failed(r.error);
    note = attachments(*pools[0], contexts);
  } else {
    for (unsigned t = 0; t < cfg.threads; ++t) {
      pools.push_back(
          std::make_unique<auf::fixed_buffer_pool>(*contexts[t], cfg.qd, cfg.block_size, required));
      if (!r.take(*pools[t], std::size_t{t} * cfg.qd, cfg.qd))
        return failed(r.error);
      note += (note.empty() ? "" : "+") +
              std::string(auf::to_string(pools[t]->attachment(*contexts[t])));
    }
  }
  measurement m = run_on_threads(cfg, [&](unsigned t) { r.run_thread(cfg, *contexts[t], t); });
  m.note = note;
  return m;
}

measurement run_one_context(const config& cfg, unsigned rings) {
  // The default concurrency hint at every thread count (also 1), so that
  // the 2-thread / 1-thread ratio compares the same context.
  asio::io_context context;
  if (rings > 1) {
    auf::service_options options;
    options.rings = rings;
    auf::uring_service::install(context, options);
  }
  if (auto why = not_on_io_uring(context))
    return failed(*why);
  readers r(cfg);
  if (!r.error.empty())
    return failed(r.error);
  auf::fixed_buffer_pool pool(context, std::size_t{cfg.threads} * cfg.qd, cfg.block_size,
                              auf::pool_options{auf::registration_mode::required});
  if (!r.take(pool, 0, r.chains.size()))
    return failed(r.error);
  measurement m = run_on_threads(cfg, [&](unsigned t) { r.run_thread(cfg, context, t); });
  m.note =
      std::string(auf::to_string(pool.attachment(context))) + ", rings " + std::to_string(rings);
  return m;
}

} // namespace

measurement run_library_shared_pool(const config& cfg) {
  return run_context_per_thread(cfg, true);
}

measurement run_library_pool_each(const config& cfg) {
  return run_context_per_thread(cfg, false);
}

measurement run_library_one_context(const config& cfg) {
  return run_one_context(cfg, 1);
}

measurement run_library_one_context_rings(const config& cfg) {
  return run_one_context(cfg, cfg.threads);
}

} // namespace scaling

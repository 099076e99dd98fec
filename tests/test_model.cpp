// Model test: a seeded random mix of fixed reads, fixed writes, linked copy
// steps, acquires and cancellations against one file, checked against an
// in-memory model of the file's contents. Operations in flight never touch
// overlapping bytes, so the model is exact; a cancelled write leaves its
// range unknown, and the model re-learns it from the file before reuse.
// The seed is printed on failure; ASIO_URING_FIXED_MODEL_SEED replays one.
#include "support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <list>
#include <random>

using namespace test;

namespace {

constexpr std::size_t file_size = 256 * 1024;
constexpr std::size_t block = 4096;
constexpr std::size_t blocks = file_size / block;

class model_run {
 public:
  model_run(std::uint64_t seed, const fs::path& path)
      : rng_(seed), pool_(ctx_, 12, block), busy_(blocks, false) {
    model_ = pattern(file_size, seed);
    write_file(path, model_);
    file_ = auf::file(path, auf::file::read_write);
  }

  void run(int steps) {
    remaining_ = steps;
    for (int i = 0; i < 16; ++i)
      asio::post(ctx_, [this] { step(); });
    ctx_.run();
  }

  int failures = 0;
  int completed = 0, aborted = 0;
  std::string first_failure;
  auf::fixed_buffer_pool& pool() { return pool_; }
  const std::vector<std::byte>& model() const { return model_; }

 private:
  void fail(const std::string& what) {
    if (failures++ == 0)
      first_failure = what;
  }

  // A free run of up to max_blocks blocks, marked busy; false if none.
  bool claim(std::size_t& first, std::size_t& count, std::size_t max_blocks) {
    for (int tries = 0; tries < 8; ++tries) {
      first = rng_() % blocks;
      count = 1 + rng_() % max_blocks;
      if (first + count > blocks)
        count = blocks - first;
      bool free = true;
      for (std::size_t b = first; b < first + count; ++b)
        free = free && !busy_[b];
      if (free) {
        for (std::size_t b = first; b < first + count; ++b)
          busy_[b] = true;
        return true;
      }
    }
    return false;
  }

  void release(std::size_t first, std::size_t count) {
    for (std::size_t b = first; b < first + count; ++b)
      busy_[b] = false;
  }

  // Re-learns bytes whose fate is unknown (a cancelled write) from the file.
  void resync(std::size_t offset, std::size_t n) {
    if (::pread(file_.native_handle(), model_.data() + offset, n, static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(n))
      fail("resync pread failed");
  }

  // Maybe cancel the operation bound to signal, soon.
  void maybe_cancel(asio::cancellation_signal& signal) {
    if (rng_() % 5 == 0)
      asio::post(ctx_, [&signal] { signal.emit(asio::cancellation_type::terminal); });
  }

  asio::cancellation_signal& new_signal() { return signals_.emplace_back(); }

  void step() {
    if (remaining_ <= 0)
      return;
    --remaining_;
    switch (rng_() % 4) {
    case 0:
      return do_read();
    case 1:
      return do_write();
    case 2:
      return do_copy();
    default:
      return do_acquire();
    }
  }

  void next() {
    ++completed;
    asio::post(ctx_, [this] { step(); });
  }

  void do_read() {
    std::size_t first, count;
    auf::fixed_buffer b = pool_.try_acquire();
    if (!b || !claim(first, count, 1))
      return next();
    std::size_t skew = rng_() % 512, len = 1 + rng_() % (block - skew);
    b.set_range(skew, len);
    std::size_t at = first * block + skew;
    auto& signal = new_signal();
    auf::async_read_fixed_at(
        file_, at, std::move(b),
        asio::bind_cancellation_slot(
            signal.slot(),
            [this, first, at, len](auf::error_code ec, std::size_t n, auf::fixed_buffer b) {
              if (ec == asio::error::operation_aborted)
                ++aborted;
              else if (ec || n != len)
                fail("read: " + ec.message());
              else if (!same(b.span(), std::span(model_).subspan(at, len)))
                fail("read returned bytes that differ from the model at " + std::to_string(at));
              release(first, 1);
              next();
            }));
    maybe_cancel(signal);
  }

  void do_write() {
    std::size_t first, count;
    auf::fixed_buffer b = pool_.try_acquire();
    if (!b || !claim(first, count, 1))
      return next();
    std::size_t skew = rng_() % 512, len = 1 + rng_() % (block - skew);
    b.set_range(skew, len);
    auto bytes = pattern(len, rng_());
    std::memcpy(b.data(), bytes.data(), len);
    std::size_t at = first * block + skew;
    auto& signal = new_signal();
    auf::async_write_fixed_all_at(
        file_, at, std::move(b),
        asio::bind_cancellation_slot(signal.slot(),
                                     [this, first, at, len, bytes = std::move(bytes)](
                                         auf::error_code ec, std::size_t n, auf::fixed_buffer) {
                                       if (ec == asio::error::operation_aborted) {
                                         ++aborted;
                                         resync(at, len);
                                       } else if (ec || n != len) {
                                         fail("write: " + ec.message());
                                       } else {
                                         std::memcpy(model_.data() + at, bytes.data(), len);
                                       }
                                       release(first, 1);
                                       next();
                                     }));
    maybe_cancel(signal);
  }

  void do_copy() {
    std::size_t src, dst, c1, c2;
    auf::fixed_buffer b = pool_.try_acquire();
    if (!b)
      return next();
    if (!claim(src, c1, 1))
      return next();
    if (!claim(dst, c2, 1)) {
      release(src, c1);
      return next();
    }
    std::size_t len = 1 + rng_() % block;
    b.set_range(0, len);
    auto& signal = new_signal();
    auf::async_copy_fixed_at(
        file_, src * block, file_, dst * block, std::move(b),
        asio::bind_cancellation_slot(
            signal.slot(),
            [this, src, dst, len](auf::error_code ec, auf::copy_progress p, auf::fixed_buffer) {
              if (ec == asio::error::operation_aborted) {
                ++aborted;
                resync(dst * block, len);
              } else if (ec || p.written != len) {
                fail("copy: " + ec.message());
              } else {
                std::memmove(model_.data() + dst * block, model_.data() + src * block, len);
              }
              release(src, 1);
              release(dst, 1);
              next();
            }));
    maybe_cancel(signal);
  }

  void do_acquire() {
    auto& signal = new_signal();
    pool_.async_acquire(asio::bind_cancellation_slot(
        signal.slot(), [this](auf::error_code ec, auf::fixed_buffer b) {
          if (ec == asio::error::operation_aborted)
            ++aborted;
          else if (ec || !b)
            fail("acquire: " + ec.message());
          next(); // b goes back to the pool here
        }));
    maybe_cancel(signal);
  }

  std::mt19937_64 rng_;
  test_context ctx_;
  auf::fixed_buffer_pool pool_;
  auf::file file_;
  std::vector<std::byte> model_;
  std::vector<bool> busy_;
  std::list<asio::cancellation_signal> signals_; // stable addresses
  int remaining_ = 0;
};

std::vector<std::uint64_t> seeds() {
  if (const char* env = std::getenv("ASIO_URING_FIXED_MODEL_SEED"))
    return {std::strtoull(env, nullptr, 0)};
  std::random_device rd;
  return {1, 2, 3, (static_cast<std::uint64_t>(rd()) << 32) | rd()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(random_operations_match_the_model) {
  for (std::uint64_t seed : seeds()) {
    BOOST_TEST_CONTEXT("seed " << seed << " (replay: ASIO_URING_FIXED_MODEL_SEED=" << seed << ")") {
      scratch s;
      model_run run(seed, s.path("model"));
      run.run(3000);
      BOOST_TEST(run.failures == 0, run.first_failure);
      BOOST_TEST(run.completed == 3000);
      BOOST_TEST(same(read_file(s.path("model")), run.model()));
      BOOST_TEST(run.pool().available() == run.pool().size());
      BOOST_TEST_MESSAGE("seed " << seed << ": " << run.completed << " steps, " << run.aborted
                                 << " cancelled");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// The file-metadata operations (file_operations.hpp): each one's effect and
// errors checked against the file system, on the io_uring and the portable
// backend; the token matrix over a representative operation; many in
// flight; paths owned by the operation; cancellation of a blocked open and
// destruction of the io_context with operations in flight.
#include "support.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <tuple>

using namespace test;
using namespace std::chrono_literals;

namespace {

/// Only a hang ends a run this long: the cases take milliseconds.
constexpr auto hang_guard = 20s;

void run_guarded(asio::io_context& ctx) {
  ctx.restart();
  ctx.run_for(hang_guard);
  BOOST_TEST_REQUIRE(ctx.stopped(), "an operation did not complete within the hang guard");
}

/// A scratch directory open as a directory descriptor.
struct dir_fixture {
  scratch s;
  test_context ctx;
  int dir = ::open(s.path("").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  dir_fixture() { BOOST_REQUIRE(dir >= 0); }
  ~dir_fixture() { ::close(dir); }

  fs::path path(const std::string& name) const { return s.path(name); }
  void make_file(const std::string& name, std::string_view contents = "data") const {
    write_file(path(name), std::as_bytes(std::span(contents.data(), contents.size())));
  }
};

/// Runs one operation with a recording callback and returns its arguments.
template <typename... Values, typename Start>
std::tuple<auf::error_code, Values...> run_one(asio::io_context& ctx, Start&& start) {
  std::optional<std::tuple<auf::error_code, Values...>> got;
  int calls = 0;
  start([&](auf::error_code ec, Values... v) {
    ++calls;
    got.emplace(ec, std::move(v)...);
  });
  run_guarded(ctx);
  BOOST_TEST_REQUIRE(calls == 1);
  return std::move(*got);
}

auf::error_code errno_code(int e) {
  return auf::error_code(e, auf::system_category());
}

bool fd_is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

/// Precondition: user.* extended attributes work in the scratch directory.
boost::test_tools::assertion_result user_xattrs_work(boost::unit_test::test_unit_id) {
  scratch s;
  write_file(s.path("x"), pattern(1));
  boost::test_tools::assertion_result r(::setxattr(s.path("x").c_str(), "user.probe", "1", 1, 0) ==
                                        0);
  if (!r)
    r.message() << "the scratch file system refuses user.* extended attributes ("
                << std::strerror(errno) << ")";
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(file_operations)

BOOST_AUTO_TEST_CASE(openat_creates_and_close_releases) {
  dir_fixture f;
  auto [ec, file] = run_one<auf::file>(f.ctx, [&](auto h) {
    auf::async_openat(f.ctx, f.dir, "new", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640,
                      std::move(h));
  });
  BOOST_TEST_REQUIRE(!ec, ec.message());
  BOOST_TEST_REQUIRE(file.is_open());
  BOOST_TEST(::write(file.native_handle(), "abc", 3) == 3);
  BOOST_TEST((::fcntl(file.native_handle(), F_GETFD) & FD_CLOEXEC) != 0);
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat(f.path("new").c_str(), &st) == 0);
  mode_t mask = ::umask(0);
  ::umask(mask);
  BOOST_TEST((st.st_mode & 0777) == (0640u & ~mask));
  BOOST_TEST(st.st_size == 3);

  int fd = file.native_handle();
  auto [close_ec] = run_one<>(f.ctx, [&](auto h) { auf::async_close(f.ctx, std::move(file), h); });
  BOOST_TEST(!close_ec, close_ec.message());
  BOOST_TEST(!file.is_open()); // ownership went to the operation
  BOOST_TEST(!fd_is_open(fd));
}

BOOST_AUTO_TEST_CASE(openat_reports_the_errno) {
  dir_fixture f;
  f.make_file("there");
  auto [missing, none] = run_one<auf::file>(
      f.ctx, [&](auto h) { auf::async_openat(f.ctx, f.dir, "missing", O_RDONLY, 0, h); });
  BOOST_TEST((missing == errno_code(ENOENT)), missing.message());
  BOOST_TEST(!none.is_open());
  auto [exists, none2] = run_one<auf::file>(f.ctx, [&](auto h) {
    auf::async_openat(f.ctx, f.dir, "there", O_CREAT | O_EXCL | O_WRONLY, 0600, h);
  });
  BOOST_TEST((exists == errno_code(EEXIST)), exists.message());
  BOOST_TEST(!none2.is_open());
  auto [bad, none3] =
      run_one<auf::file>(f.ctx, [&](auto h) { auf::async_openat(f.ctx, -1, "x", O_RDONLY, 0, h); });
  BOOST_TEST((bad == errno_code(EBADF)), bad.message());
  BOOST_TEST(!none3.is_open());
}

BOOST_AUTO_TEST_CASE(statx_of_a_path_a_descriptor_and_a_symlink) {
  dir_fixture f;
  f.make_file("file", "0123456789");
  BOOST_REQUIRE(::symlink("file", f.path("link").c_str()) == 0);
  auto [ec, st] = run_one<struct ::statx>(
      f.ctx, [&](auto h) { auf::async_statx(f.ctx, f.dir, "file", 0, STATX_BASIC_STATS, h); });
  BOOST_TEST_REQUIRE(!ec, ec.message());
  struct stat ref {};
  BOOST_REQUIRE(::stat(f.path("file").c_str(), &ref) == 0);
  BOOST_TEST(st.stx_size == 10u);
  BOOST_TEST(st.stx_ino == ref.st_ino);
  BOOST_TEST(S_ISREG(st.stx_mode));

  auf::file opened(f.path("file"), auf::file::read_only);
  auto [ec2, st2] = run_one<struct ::statx>(f.ctx, [&](auto h) {
    auf::async_statx(f.ctx, opened.native_handle(), "", AT_EMPTY_PATH, STATX_INO, h);
  });
  BOOST_TEST_REQUIRE(!ec2, ec2.message());
  BOOST_TEST(st2.stx_ino == ref.st_ino);

  auto [ec3, st3] = run_one<struct ::statx>(f.ctx, [&](auto h) {
    auf::async_statx(f.ctx, f.dir, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, h);
  });
  BOOST_TEST_REQUIRE(!ec3, ec3.message());
  BOOST_TEST(S_ISLNK(st3.stx_mode));
  BOOST_TEST(st3.stx_size == 4u); // "file"

  auto [ec4, st4] = run_one<struct ::statx>(
      f.ctx, [&](auto h) { auf::async_statx(f.ctx, f.dir, "missing", 0, STATX_BASIC_STATS, h); });
  BOOST_TEST((ec4 == errno_code(ENOENT)), ec4.message());
  BOOST_TEST(st4.stx_mask == 0u); // zeroed on error
}

BOOST_AUTO_TEST_CASE(fsync_fdatasync_and_their_errors) {
  dir_fixture f;
  auf::file file(f.path("f"), auf::file::read_write | auf::file::create);
  BOOST_REQUIRE(::write(file.native_handle(), "x", 1) == 1);
  auto [ec] = run_one<>(f.ctx, [&](auto h) { auf::async_fsync(f.ctx, file, h); });
  BOOST_TEST(!ec, ec.message());
  auto [ec2] = run_one<>(f.ctx, [&](auto h) { auf::async_fdatasync(f.ctx, file, h); });
  BOOST_TEST(!ec2, ec2.message());
  // A registered_file, named by its slot on io_uring.
  auf::registered_file reg(f.ctx, auf::file(f.path("f"), auf::file::read_write));
  auto [ec3] = run_one<>(f.ctx, [&](auto h) { auf::async_fsync(f.ctx, reg, h); });
  BOOST_TEST(!ec3, ec3.message());
  auto [bad] = run_one<>(f.ctx, [&](auto h) { auf::async_fsync(f.ctx, -1, h); });
  BOOST_TEST((bad == errno_code(EBADF)), bad.message());
}

BOOST_AUTO_TEST_CASE(fallocate_extends_keeps_size_and_punches) {
  dir_fixture f;
  auf::file file(f.path("f"), auf::file::read_write | auf::file::create);
  auto [ec] =
      run_one<>(f.ctx, [&](auto h) { auf::async_fallocate(f.ctx, file, 0, 0, 1 << 20, h); });
  if (ec == errno_code(EOPNOTSUPP)) {
    BOOST_TEST_MESSAGE("the scratch file system has no fallocate: only the error is checked");
    return;
  }
  BOOST_TEST_REQUIRE(!ec, ec.message());
  BOOST_TEST(file.size() == 1u << 20);
  auto [keep] = run_one<>(f.ctx, [&](auto h) {
    auf::async_fallocate(f.ctx, file, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20, h);
  });
  BOOST_TEST(!keep, keep.message());
  BOOST_TEST(file.size() == 1u << 20); // KEEP_SIZE: blocks past the end, same size
  auto [bad] = run_one<>(f.ctx, [&](auto h) { auf::async_fallocate(f.ctx, file, 0, 0, 0, h); });
  BOOST_TEST((bad == errno_code(EINVAL)), bad.message()); // a zero length
}

BOOST_AUTO_TEST_CASE(renameat2_plain_noreplace_and_exchange) {
  dir_fixture f;
  f.make_file("a", "A");
  f.make_file("b", "B");
  auto [clash] = run_one<>(f.ctx, [&](auto h) {
    auf::async_renameat2(f.ctx, f.dir, "a", f.dir, "b", RENAME_NOREPLACE, h);
  });
  BOOST_TEST((clash == errno_code(EEXIST)), clash.message());
  BOOST_TEST(fs::exists(f.path("a"))); // both untouched
  auto b_bytes = read_file(f.path("b"));
  BOOST_TEST((b_bytes.size() == 1 && b_bytes[0] == std::byte{'B'}));

  auto [swap] = run_one<>(f.ctx, [&](auto h) {
    auf::async_renameat2(f.ctx, f.dir, "a", f.dir, "b", RENAME_EXCHANGE, h);
  });
  BOOST_TEST(!swap, swap.message());
  BOOST_TEST((read_file(f.path("a"))[0] == std::byte{'B'}));

  auto [moved] = run_one<>(f.ctx, [&](auto h) {
    auf::async_renameat2(f.ctx, f.dir, "a", AT_FDCWD, f.path("c").string(), 0, h);
  });
  BOOST_TEST(!moved, moved.message());
  BOOST_TEST(!fs::exists(f.path("a")));
  BOOST_TEST(fs::exists(f.path("c")));
}

BOOST_AUTO_TEST_CASE(mkdirat_unlinkat_symlinkat_linkat) {
  dir_fixture f;
  auto [made] = run_one<>(f.ctx, [&](auto h) { auf::async_mkdirat(f.ctx, f.dir, "d", 0700, h); });
  BOOST_TEST_REQUIRE(!made, made.message());
  BOOST_TEST(fs::is_directory(f.path("d")));
  auto [again] = run_one<>(f.ctx, [&](auto h) { auf::async_mkdirat(f.ctx, f.dir, "d", 0700, h); });
  BOOST_TEST((again == errno_code(EEXIST)), again.message());

  f.make_file("d/inside");
  auto [full] =
      run_one<>(f.ctx, [&](auto h) { auf::async_unlinkat(f.ctx, f.dir, "d", AT_REMOVEDIR, h); });
  BOOST_TEST((full == errno_code(ENOTEMPTY)), full.message());

  auto [linked] = run_one<>(
      f.ctx, [&](auto h) { auf::async_linkat(f.ctx, f.dir, "d/inside", f.dir, "second", 0, h); });
  BOOST_TEST_REQUIRE(!linked, linked.message());
  struct stat a {
  }, b{};
  BOOST_REQUIRE(::stat(f.path("d/inside").c_str(), &a) == 0);
  BOOST_REQUIRE(::stat(f.path("second").c_str(), &b) == 0);
  BOOST_TEST(a.st_ino == b.st_ino);
  BOOST_TEST(a.st_nlink == 2u);

  auto [sym] =
      run_one<>(f.ctx, [&](auto h) { auf::async_symlinkat(f.ctx, "d/inside", f.dir, "sym", h); });
  BOOST_TEST_REQUIRE(!sym, sym.message());
  BOOST_TEST(fs::read_symlink(f.path("sym")) == fs::path("d/inside"));

  auto [gone] =
      run_one<>(f.ctx, [&](auto h) { auf::async_unlinkat(f.ctx, f.dir, "d/inside", 0, h); });
  BOOST_TEST(!gone, gone.message());
  auto [rmdir] =
      run_one<>(f.ctx, [&](auto h) { auf::async_unlinkat(f.ctx, f.dir, "d", AT_REMOVEDIR, h); });
  BOOST_TEST(!rmdir, rmdir.message());
  BOOST_TEST(!fs::exists(f.path("d")));
  auto [missing] =
      run_one<>(f.ctx, [&](auto h) { auf::async_unlinkat(f.ctx, f.dir, "nothing", 0, h); });
  BOOST_TEST((missing == errno_code(ENOENT)), missing.message());
}

BOOST_AUTO_TEST_CASE(xattrs_set_get_size_and_errors,
                     *boost::unit_test::precondition(user_xattrs_work)) {
  dir_fixture f;
  auf::file file(f.path("f"), auf::file::read_write | auf::file::create);
  std::string value = "a value with\0 a zero"; // binary values pass as they are
  value.push_back('\0');
  auto [set] = run_one<>(f.ctx, [&](auto h) {
    auf::async_fsetxattr(f.ctx, file, "user.test", asio::buffer(value), 0, h);
  });
  BOOST_TEST_REQUIRE(!set, set.message());
  char raw[64] = {};
  BOOST_TEST(::fgetxattr(file.native_handle(), "user.test", raw, sizeof raw) ==
             ssize_t(value.size()));

  auto [create_clash] = run_one<>(f.ctx, [&](auto h) {
    auf::async_fsetxattr(f.ctx, file, "user.test", asio::buffer(value), XATTR_CREATE, h);
  });
  BOOST_TEST((create_clash == errno_code(EEXIST)), create_clash.message());

  auto [size_ec, size] = run_one<std::size_t>(f.ctx, [&](auto h) {
    auf::async_fgetxattr(f.ctx, file, "user.test", asio::mutable_buffer(), h);
  });
  BOOST_TEST(!size_ec, size_ec.message());
  BOOST_TEST(size == value.size());

  std::string out(size, '?');
  auto [get_ec, n] = run_one<std::size_t>(
      f.ctx, [&](auto h) { auf::async_fgetxattr(f.ctx, file, "user.test", asio::buffer(out), h); });
  BOOST_TEST(!get_ec, get_ec.message());
  BOOST_TEST(n == value.size());
  BOOST_TEST(out == value);

  char small[2];
  auto [range, n2] = run_one<std::size_t>(f.ctx, [&](auto h) {
    auf::async_fgetxattr(f.ctx, file, "user.test", asio::buffer(small), h);
  });
  BOOST_TEST((range == errno_code(ERANGE)), range.message());
  BOOST_TEST(n2 == 0u);
  auto [nodata, n3] = run_one<std::size_t>(
      f.ctx, [&](auto h) { auf::async_fgetxattr(f.ctx, file, "user.none", asio::buffer(out), h); });
  BOOST_TEST((nodata == errno_code(ENODATA)), nodata.message());
  BOOST_TEST(n3 == 0u);
}

BOOST_AUTO_TEST_CASE(many_in_flight_at_once) {
  dir_fixture f;
  constexpr int n = 300;
  std::vector<auf::file> files(n);
  int opened = 0;
  for (int i = 0; i < n; ++i)
    auf::async_openat(f.ctx, f.dir, "f" + std::to_string(i), O_CREAT | O_WRONLY | O_CLOEXEC, 0600,
                      [&, i](auf::error_code ec, auf::file file) {
                        BOOST_TEST(!ec, ec.message());
                        files[i] = std::move(file);
                        ++opened;
                      });
  run_guarded(f.ctx);
  BOOST_TEST(opened == n);
  int stated = 0;
  for (int i = 0; i < n; ++i)
    auf::async_statx(f.ctx, f.dir, "f" + std::to_string(i), 0, STATX_INO,
                     [&, i](auf::error_code ec, struct ::statx st) {
                       BOOST_TEST(!ec, ec.message());
                       struct stat ref {};
                       BOOST_TEST(::fstat(files[i].native_handle(), &ref) == 0);
                       BOOST_TEST(st.stx_ino == ref.st_ino); // the statx of that very file
                       ++stated;
                     });
  run_guarded(f.ctx);
  BOOST_TEST(stated == n);
  int closed = 0;
  for (auto& file : files)
    auf::async_close(f.ctx, std::move(file), [&](auf::error_code ec) {
      BOOST_TEST(!ec, ec.message());
      ++closed;
    });
  run_guarded(f.ctx);
  BOOST_TEST(closed == n);
}

BOOST_AUTO_TEST_CASE(paths_and_values_are_the_operations_own) {
  dir_fixture f;
  auf::error_code ec;
  {
    std::string name(200, 'n'); // longer than any small-string buffer
    auf::async_mkdirat(f.ctx, f.dir, name, 0700, [&](auf::error_code e) { ec = e; });
    name.assign(200, 'x'); // the caller's string changes before the request runs
  }
  run_guarded(f.ctx);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(fs::is_directory(f.path(std::string(200, 'n'))));

  // deferred: the request is kept until launched; the caller's string is gone.
  auto op = [&] {
    std::string name = "deferred-" + std::string(100, 'd');
    return auf::async_mkdirat(f.ctx, f.dir, name, 0700, asio::deferred);
  }();
  std::move(op)([&](auf::error_code e) { ec = e; });
  run_guarded(f.ctx);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(fs::is_directory(f.path("deferred-" + std::string(100, 'd'))));
}

// ---------------------------------------------------------------------------
// Completion tokens, over statx and openat (their values differ in kind: a
// trivially copyable struct, a move-only file).

BOOST_AUTO_TEST_CASE(token_use_future) {
  dir_fixture f;
  f.make_file("file", "12345");
  auto work = asio::make_work_guard(f.ctx);
  std::thread runner([&] { f.ctx.run(); });
  auto st = auf::async_statx(f.ctx, f.dir, "file", 0, STATX_SIZE, asio::use_future).get();
  BOOST_TEST(st.stx_size == 5u);
  auto file = auf::async_openat(f.ctx, f.dir, "file", O_RDONLY, 0, asio::use_future).get();
  BOOST_TEST(file.is_open());
  auto missing = auf::async_openat(f.ctx, f.dir, "missing", O_RDONLY, 0, asio::use_future);
  BOOST_CHECK_THROW(missing.get(), auf::system_error);
  work.reset();
  runner.join();
}

BOOST_AUTO_TEST_CASE(token_use_awaitable_and_as_tuple) {
  dir_fixture f;
  f.make_file("file", "123");
  bool done = false;
  asio::co_spawn(
      f.ctx,
      [&]() -> asio::awaitable<void> {
        auto st =
            co_await auf::async_statx(f.ctx, f.dir, "file", 0, STATX_SIZE, asio::use_awaitable);
        BOOST_TEST(st.stx_size == 3u);
        auf::file file =
            co_await auf::async_openat(f.ctx, f.dir, "file", O_RDONLY, 0, asio::use_awaitable);
        BOOST_TEST(file.is_open());
        co_await auf::async_close(f.ctx, std::move(file), asio::use_awaitable);
        auto [ec, none] = co_await auf::async_openat(f.ctx, f.dir, "missing", O_RDONLY, 0,
                                                     asio::as_tuple(asio::use_awaitable));
        BOOST_TEST((ec == errno_code(ENOENT)));
        BOOST_TEST(!none.is_open());
        bool threw = false;
        try {
          co_await auf::async_unlinkat(f.ctx, f.dir, "missing", 0, asio::use_awaitable);
        } catch (const auf::system_error& e) {
          threw = e.code() == errno_code(ENOENT);
        }
        BOOST_TEST(threw);
        done = true;
      },
      asio::detached);
  run_guarded(f.ctx);
  BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(token_deferred_runs_only_when_launched) {
  dir_fixture f;
  auto op = auf::async_mkdirat(f.ctx, f.dir, "later", 0700, asio::deferred);
  f.ctx.poll();
  BOOST_TEST(!fs::exists(f.path("later"))); // nothing started yet
  auf::error_code ec = asio::error::would_block;
  std::move(op)([&](auf::error_code e) { ec = e; });
  run_guarded(f.ctx);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(fs::is_directory(f.path("later")));
}

BOOST_AUTO_TEST_CASE(token_strand_on_two_threads_and_executor_target) {
  dir_fixture f;
  f.make_file("file");
  auto strand = asio::make_strand(f.ctx);
  constexpr int n = 64;
  std::atomic<int> on_strand{0}, calls{0};
  for (int i = 0; i < n; ++i) {
    // Half bound with bind_executor, half started with the strand as target
    // (the handler's executor defaults to the target's).
    auto h = [&](auf::error_code ec, struct ::statx) {
      BOOST_TEST(!ec, ec.message());
      on_strand += strand.running_in_this_thread() ? 1 : 0;
      ++calls;
    };
    if (i % 2)
      auf::async_statx(f.ctx, f.dir, "file", 0, STATX_INO, asio::bind_executor(strand, h));
    else
      auf::async_statx(strand, f.dir, "file", 0, STATX_INO, h);
  }
  std::thread second([&] { f.ctx.run_for(hang_guard); });
  f.ctx.run_for(hang_guard);
  second.join();
  BOOST_TEST(calls == n);
  BOOST_TEST(on_strand == n);
}

BOOST_AUTO_TEST_CASE(an_executor_without_an_io_context_is_refused) {
  dir_fixture f;
  asio::thread_pool pool(1);
  BOOST_CHECK_THROW(
      auf::async_mkdirat(pool.get_executor(), f.dir, "x", 0700, [](auf::error_code) {}),
      std::invalid_argument);
  BOOST_TEST(!fs::exists(f.path("x")));
}

namespace {
struct alloc_stats {
  std::atomic<int> allocations{0}, deallocations{0};
};
template <typename T>
struct counting {
  using value_type = T;
  alloc_stats* stats;
  explicit counting(alloc_stats* s) : stats(s) {}
  template <typename U>
  counting(const counting<U>& o) : stats(o.stats) {}
  T* allocate(std::size_t n) {
    ++stats->allocations;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    ++stats->deallocations;
    std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const counting<U>& o) const {
    return stats == o.stats;
  }
};
} // namespace

BOOST_AUTO_TEST_CASE(token_bind_allocator) {
  dir_fixture f;
  f.make_file("file");
  alloc_stats stats;
  bool called = false;
  auf::async_statx(f.ctx, f.dir, "file", 0, STATX_INO,
                   asio::bind_allocator(counting<void>(&stats), [&](auf::error_code ec, auto) {
                     BOOST_TEST(!ec);
                     // freed before the handler runs
                     BOOST_TEST(stats.allocations == stats.deallocations);
                     called = true;
                   }));
  BOOST_TEST(stats.allocations >= 1); // the operation's memory came from it
  run_guarded(f.ctx);
  BOOST_TEST(called);
  BOOST_TEST(stats.allocations == stats.deallocations);
}

BOOST_AUTO_TEST_CASE(cancel_after_completion_is_harmless) {
  dir_fixture f;
  asio::cancellation_signal signal;
  auf::error_code ec = asio::error::would_block;
  auf::async_mkdirat(
      f.ctx, f.dir, "d", 0700,
      asio::bind_cancellation_slot(signal.slot(), [&](auf::error_code e) { ec = e; }));
  run_guarded(f.ctx);
  BOOST_TEST(!ec, ec.message());
  signal.emit(asio::cancellation_type::terminal); // finds nothing
  run_guarded(f.ctx);
  BOOST_TEST(fs::is_directory(f.path("d")));
}

// ---------------------------------------------------------------------------
// A blocked operation: the open of a FIFO without a writer. O_CREAT sends it
// to an io-wq worker, where it waits interruptibly (without O_CREAT the ring
// opens FIFOs without blocking). The portable backend cannot interrupt a
// system call its worker is in: these cases need io_uring.

namespace {
struct fifo_fixture : dir_fixture {
  fifo_fixture() { BOOST_REQUIRE(::mkfifo(path("fifo").c_str(), 0600) == 0); }
  template <typename Token>
  auto open_blocked(Token&& token) {
    return auf::async_openat(ctx, dir, "fifo", O_RDONLY | O_CREAT | O_CLOEXEC, 0600,
                             std::forward<Token>(token));
  }
  /// Lets a blocked reader's open finish: a writer appears.
  int unblock() { return ::open(path("fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC); }
};
} // namespace

BOOST_AUTO_TEST_CASE(a_blocked_open_completes_when_unblocked,
                     *boost::unit_test::precondition(needs_io_uring)) {
  fifo_fixture f;
  auf::error_code ec = asio::error::would_block;
  auf::file got;
  f.open_blocked([&](auf::error_code e, auf::file file) {
    ec = e;
    got = std::move(file);
  });
  int writer = -1;
  // The writer's open succeeds only once the reader waits: retry until then.
  for (int i = 0; i < 2000 && writer < 0; ++i) {
    f.ctx.poll();
    writer = f.unblock();
    if (writer < 0)
      std::this_thread::sleep_for(1ms);
  }
  BOOST_TEST_REQUIRE(writer >= 0, "the blocked open never became a reader");
  run_guarded(f.ctx);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(got.is_open());
  ::close(writer);
}

BOOST_AUTO_TEST_CASE(cancelling_a_blocked_open, *boost::unit_test::precondition(needs_io_uring)) {
  for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                    asio::cancellation_type::total}) {
    fifo_fixture f;
    asio::cancellation_signal signal;
    auf::error_code ec;
    int calls = 0;
    bool got_file = true;
    f.open_blocked(
        asio::bind_cancellation_slot(signal.slot(), [&](auf::error_code e, auf::file file) {
          ec = e;
          got_file = file.is_open();
          ++calls;
        }));
    asio::steady_timer timer(f.ctx, 20ms);
    timer.async_wait([&](auf::error_code) { signal.emit(type); });
    run_guarded(f.ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST((ec == asio::error::operation_aborted), ec.message());
    BOOST_TEST(!got_file);
  }
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_operations_in_flight) {
  auto log = std::make_shared<handler_log>();
  scratch s;
  int dir = ::open(s.path("").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  BOOST_REQUIRE(dir >= 0);
  write_file(s.path("file"), pattern(10));
  {
    test_context ctx;
    for (int i = 0; i < 64; ++i) {
      auf::async_statx(ctx, dir, "file", 0, STATX_BASIC_STATS, logged_handler(log));
      auf::async_openat(ctx, dir, "file", O_RDONLY | O_CLOEXEC, 0, logged_handler(log));
    }
    // Never run: every operation is destroyed with the context, after its
    // request's completion (ASan reports a request that outlived its memory).
  }
  BOOST_TEST(log->calls == 0);
  BOOST_TEST(log->destroyed == 128);
  ::close(dir);
}

BOOST_AUTO_TEST_CASE(destroying_the_context_with_a_blocked_open,
                     *boost::unit_test::precondition(needs_io_uring)) {
  auto log = std::make_shared<handler_log>();
  {
    fifo_fixture f;
    f.open_blocked(logged_handler(log));
    for (int i = 0; i < 50; ++i)
      f.ctx.poll(), std::this_thread::sleep_for(1ms); // let it reach the wait
  } // shutdown cancels it: no hang, no handler called
  BOOST_TEST(log->calls == 0);
  BOOST_TEST(log->destroyed == 1);
}

BOOST_AUTO_TEST_SUITE_END()

//
// positional_reads.cpp
// ~~~~~~~~~~~~~~~~~~~~
//
// Random positional reads (4 KiB, or 256 KiB with the L flag) through
// asio::random_access_file with a
// fixed number of reads in flight, on one thread, built against standalone
// Asio master with ASIO_HAS_IO_URING (by bench/run, once against the
// unpatched headers and once against the patched ones).
//
// Usage: positional_reads <file> <depth> <objects> <milliseconds> [flags]
//
//   depth    reads kept in flight in total
//   objects  random_access_file objects on the same file, sharing the reads
//            round-robin (1 = all reads on one object)
//   flags    any of:
//              u  set "reactor" / "io_uring_unordered_positional_ops"
//                 (ignored by headers without the option)
//              d  open the file with O_DIRECT
//              L  256 KiB reads instead of 4 KiB
//              r  read into registered buffers (one buffer_registration)
//              2  two buffer_registrations on the context, each holding the
//                 buffers of half of the reads, as two libraries would; if
//                 the second is refused, its reads use unregistered buffers
//
// Prints one line:
//   "<reads/s> <CPU microseconds per read> <reads> <seconds> <note>"
// where CPU time is the process's user + system time during the measurement.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "asio/buffer_registration.hpp"
#include "asio/config.hpp"
#include "asio/io_context.hpp"
#include "asio/random_access_file.hpp"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

std::size_t block = 4096;

typedef asio::buffer_registration<std::vector<asio::mutable_buffer>>
  registration;

double cpu_seconds()
{
  ::rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec
    + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct reader
{
  asio::random_access_file* file;
  asio::mutable_registered_buffer registered;
  asio::mutable_buffer plain;
  bool use_registered;
  std::size_t blocks;
  unsigned long long* completed;
  unsigned long long* state;
  const bool* stop;

  std::size_t next_offset()
  {
    // xorshift64: cheap, deterministic.
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return static_cast<std::size_t>(*state % blocks) * block;
  }

  template <typename Buffer>
  void start_with(const Buffer& b)
  {
    reader self = *this;
    file->async_read_some_at(next_offset(), b,
        [self](asio::error_code ec, std::size_t n) mutable
        {
          if (ec || n != block)
          {
            std::fprintf(stderr, "read failed: %s (%zu bytes)\n",
                ec.message().c_str(), n);
            std::exit(2);
          }
          ++*self.completed;
          if (!*self.stop)
            self.start();
        });
  }

  void start()
  {
    if (use_registered)
      start_with(registered);
    else
      start_with(plain);
  }
};

} // namespace

int main(int argc, char* argv[])
{
  if (argc != 5 && argc != 6)
  {
    std::fprintf(stderr, "usage: %s <file> <depth> <objects> "
        "<milliseconds> [flags]\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  int depth = std::atoi(argv[2]);
  int objects = std::atoi(argv[3]);
  int ms = std::atoi(argv[4]);
  std::string flags = argc == 6 ? argv[5] : "";
  bool unordered = flags.find('u') != std::string::npos;
  bool direct = flags.find('d') != std::string::npos;
  bool registered = flags.find('r') != std::string::npos;
  bool two = flags.find('2') != std::string::npos;
  if (flags.find('L') != std::string::npos)
    block = 256 * 1024;

  asio::io_context ctx{asio::config_from_string(
      std::string("scheduler.concurrency_hint=1\n")
      + (unordered ? "reactor.io_uring_unordered_positional_ops=1\n" : ""))};

  std::vector<std::unique_ptr<asio::random_access_file>> files;
  for (int i = 0; i < objects; ++i)
  {
    int fd = ::open(path, O_RDONLY | (direct ? O_DIRECT : 0));
    if (fd < 0)
    {
      std::perror("open");
      return 2;
    }
    files.emplace_back(new asio::random_access_file(ctx, fd));
  }
  std::size_t blocks = static_cast<std::size_t>(files[0]->size() / block);

  // Page-aligned memory, as O_DIRECT needs.
  std::size_t bytes = static_cast<std::size_t>(depth) * block;
  void* mem = ::mmap(0, bytes, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
  {
    std::perror("mmap");
    return 2;
  }
  char* memory = static_cast<char*>(mem);
  std::memset(memory, 0, bytes);

  // The buffers of the first half of the reads (all of them, without "2"),
  // and of the second half.
  int first_half = two ? depth / 2 : depth;
  std::vector<asio::mutable_buffer> a_bufs, b_bufs;
  for (int i = 0; i < depth; ++i)
  {
    (i < first_half ? a_bufs : b_bufs).push_back(
        asio::buffer(memory + i * block, block));
  }

  std::string note = "-";
  std::unique_ptr<registration> a, b;
  if (registered || two)
    a.reset(new registration(ctx, a_bufs));
  if (two)
  {
    try
    {
      b.reset(new registration(ctx, b_bufs));
      note = "both-registrations";
    }
    catch (const asio::system_error& e)
    {
      note = std::string("second-registration-refused:")
        + std::to_string(e.code().value());
    }
  }

  unsigned long long completed = 0;
  unsigned long long state = 88172645463325252ull;
  bool stop = false;
  for (int i = 0; i < depth; ++i)
  {
    reader r = { files[i % objects].get(), asio::mutable_registered_buffer(),
      asio::buffer(memory + i * block, block), false, blocks,
      &completed, &state, &stop };
    if (i < first_half && a)
    {
      r.registered = (*a)[i];
      r.use_registered = true;
    }
    else if (i >= first_half && b)
    {
      r.registered = (*b)[i - first_half];
      r.use_registered = true;
    }
    r.start();
  }

  // Warm up, then measure.
  ctx.run_for(std::chrono::milliseconds(200));
  unsigned long long start_count = completed;
  double cpu_start = cpu_seconds();
  std::chrono::steady_clock::time_point start =
    std::chrono::steady_clock::now();
  ctx.run_for(std::chrono::milliseconds(ms));
  double seconds = std::chrono::duration<double>(
      std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  unsigned long long n = completed - start_count;

  stop = true;
  ctx.run();
  std::printf("%.0f %.3f %llu %.3f %s\n", n / seconds,
      n ? cpu * 1e6 / n : 0.0, n, seconds, note.c_str());
  return 0;
}

//
// positional_reads.cpp
// ~~~~~~~~~~~~~~~~~~~~
//
// Throughput of 4 KiB random positional reads from a page-cached file through
// boost::asio::random_access_file, with a fixed number of reads in flight,
// on one thread. Built by `check --bench` against the headers before and
// after the patch that lets positional operations run concurrently.
//
// Usage: positional_reads <file> <depth> <objects> <milliseconds>
//
//   depth    reads kept in flight in total
//   objects  random_access_file objects on the same file, sharing the reads
//            round-robin (1 = all reads on one object)
//
// Prints one line: "<reads per second> <reads completed> <seconds>".
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio/io_context.hpp>
#include <boost/asio/random_access_file.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace asio = boost::asio;

namespace {

const std::size_t block = 4096;

struct reader
{
  asio::random_access_file* file;
  char* buffer;
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

  void start()
  {
    reader self = *this;
    file->async_read_some_at(next_offset(), asio::buffer(buffer, block),
        [self](boost::system::error_code ec, std::size_t n) mutable
        {
          if (ec || n != block)
          {
            std::fprintf(stderr, "read failed: %s\n", ec.message().c_str());
            std::exit(2);
          }
          ++*self.completed;
          if (!*self.stop)
            self.start();
        });
  }
};

} // namespace

int main(int argc, char* argv[])
{
  if (argc != 5)
  {
    std::fprintf(stderr,
        "usage: %s <file> <depth> <objects> <milliseconds>\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  int depth = std::atoi(argv[2]);
  int objects = std::atoi(argv[3]);
  int ms = std::atoi(argv[4]);

  asio::io_context ctx(1);
  std::vector<std::unique_ptr<asio::random_access_file> > files;
  for (int i = 0; i < objects; ++i)
    files.emplace_back(new asio::random_access_file(
          ctx, path, asio::random_access_file::read_only));
  std::size_t blocks = static_cast<std::size_t>(files[0]->size() / block);

  std::vector<char> memory(static_cast<std::size_t>(depth) * block);
  unsigned long long completed = 0;
  unsigned long long state = 88172645463325252ull;
  bool stop = false;

  // Warm up, then measure.
  for (int i = 0; i < depth; ++i)
  {
    reader r = { files[i % objects].get(), &memory[i * block], blocks,
      &completed, &state, &stop };
    r.start();
  }
  ctx.run_for(std::chrono::milliseconds(100));
  unsigned long long start_count = completed;
  std::chrono::steady_clock::time_point start =
    std::chrono::steady_clock::now();
  ctx.run_for(std::chrono::milliseconds(ms));
  double seconds = std::chrono::duration<double>(
      std::chrono::steady_clock::now() - start).count();
  unsigned long long n = completed - start_count;

  stop = true;
  ctx.run();
  std::printf("%.0f %llu %.3f\n", n / seconds, n, seconds);
  return 0;
}

// Variant: a sequence of pread(2) calls into one page-aligned buffer. The
// queue depth does not apply; it reads the same offsets as the others.
#include "variants.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace read_qd {

measurement run_pread(const config& cfg) {
  measurement failed;
  int fd = ::open(cfg.path.c_str(), open_flags(cfg));
  if (fd < 0) {
    failed.error = "open: " + std::string(std::strerror(errno));
    return failed;
  }
  void* buffer = ::mmap(nullptr, cfg.block_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (buffer == MAP_FAILED) {
    ::close(fd);
    failed.error = "mmap: " + std::string(std::strerror(errno));
    return failed;
  }
  window w(cfg);
  for (;;) {
    std::uint64_t offset = w.next_offset();
    ssize_t n = ::pread(fd, buffer, cfg.block_size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      w.fail("pread: " + std::string(std::strerror(errno)));
    } else {
      w.verify(buffer, static_cast<std::size_t>(n), offset);
    }
    if (!w.complete())
      break;
  }
  ::munmap(buffer, cfg.block_size);
  ::close(fd);
  return w.result();
}

} // namespace read_qd

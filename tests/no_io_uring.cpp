// no_io_uring PROGRAM [ARGS...]: runs PROGRAM with io_uring refused. A seccomp
// filter (inherited across exec) makes io_uring_setup, io_uring_enter and
// io_uring_register fail with ENOSYS, as on a kernel built without io_uring
// or in a container whose policy forbids it. The program is told through
// ASIO_URING_FIXED_TEST_IO_URING=refused, so that it expects the library to
// fall back to the portable backend by itself.
#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: no_io_uring PROGRAM [ARGS...]\n");
    return 2;
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
  if (!filter) {
    std::printf("SKIP: seccomp_init failed: cannot refuse io_uring here\n");
    return 77;
  }
  const int calls[] = {SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter),
                       SCMP_SYS(io_uring_register)};
  for (int call : calls) {
    int r = seccomp_rule_add(filter, SCMP_ACT_ERRNO(ENOSYS), call, 0);
    if (r < 0) {
      std::printf("SKIP: seccomp_rule_add failed: %s\n", std::strerror(-r));
      return 77;
    }
  }
  // libseccomp sets no_new_privs first, so this needs no privilege.
  if (int r = seccomp_load(filter); r < 0) {
    std::printf("SKIP: seccomp_load failed (%s): cannot refuse io_uring here\n", std::strerror(-r));
    return 77;
  }
  seccomp_release(filter);
  ::setenv("ASIO_URING_FIXED_TEST_IO_URING", "refused", 1);
  ::unsetenv("ASIO_URING_FIXED_BACKEND"); // the library must choose by itself
  ::execv(argv[1], argv + 1);
  std::fprintf(stderr, "no_io_uring: cannot run %s: %s\n", argv[1], std::strerror(errno));
  return 127;
}

/* touch-memory N: maps N MiB, writes every page, frees it. Run before each
 * timed copy by the cp benchmarks: on these VMs memory Linux frees goes back
 * to the host after a few seconds, and faulting it in again inside a timed
 * run costs ~1 s of kernel CPU per GiB. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  size_t n = (size_t)atol(argv[1]) << 20;
  char* p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 1;
  for (size_t i = 0; i < n; i += 4096)
    p[i] = 1;
  munmap(p, n);
  return 0;
}

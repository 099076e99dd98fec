// Pinned memory with N rings: VmPin and VmLck of this process
// (/proc/self/status) after creating one pool shared by N io_contexts and
// after creating one pool per context of the same size. Exact figures,
// not timings.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace scaling {

struct pinned_row {
  unsigned rings = 0;
  std::string layout;      // "shared pool" or "pool per ring"
  long pool_kib = 0;       // one pool's memory
  long vm_pin_kib = -1;    // VmPin growth while the pool(s) exist; -1: not in /proc
  long vm_lck_kib = -1;    // VmLck growth
  std::string attachments; // per context, in order
  std::string error;       // set when the pool(s) could not be made
};

/// For each N in ring_counts: N io_contexts with the library's service
/// (their rings made before the first reading), then a shared pool of
/// count × size bytes over them, then one such pool per context; each
/// figure is the largest growth of three attempts.
std::vector<pinned_row> measure_pinned(const std::vector<unsigned>& ring_counts, std::size_t count,
                                       std::size_t size);

} // namespace scaling

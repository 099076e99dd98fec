// Fault injection for the tests: rules that alter the results the backend
// (io_uring or portable) hands to the engine. Only the test library
// asio_uring_fixed_faults has this (tests/faults/fault_backend.cpp replaces
// the library's backend hook); the installed library has no such hook.
#pragma once

#include <cstddef>
#include <initializer_list>

namespace asio_uring_fixed::testing {

/// One rule: which results to alter and how.
struct fault {
  enum class target { read, write, any };
  target on = target::any;
  /// Matching results let through unchanged before the first altered one.
  unsigned skip = 0;
  /// Matching results altered, one after the other (then the rule is spent).
  unsigned times = 1;
  /// The errno reported instead of the result (EIO, ENOSPC, EAGAIN, EINTR,
  /// ECANCELED, ...); 0 with short_transfer.
  int error = 0;
  /// Report fewer bytes than were transferred (half, at least one less).
  /// Results of 0 or 1 byte cannot be shortened and do not count.
  bool short_transfer = false;
  /// With times > 1: alter a matching result only with this probability in
  /// percent (seeded), so that faults and successes interleave.
  unsigned percent = 100;
  unsigned seed = 1;
};

/// Replaces the current rules (thread-safe). Rules apply one after the
/// other: the next takes over once the previous is spent.
void inject(std::initializer_list<fault> rules);
inline void inject(const fault& rule) {
  inject({rule});
}

/// Removes the rules.
void clear_faults();

/// Results altered since the last inject().
std::size_t faults_injected();

/// While error is not 0, cloning registered buffers into another ring
/// (a shared pool) fails with it, as on a kernel older than 6.13 (EINVAL);
/// 0 lets clones through again.
void refuse_clones(int error);

/// The next n shutdown cancellations (backend::cancel_all) are lost, as a
/// cancellation the kernel refused or that could not be submitted would be.
void lose_cancellations(unsigned n);

} // namespace asio_uring_fixed::testing

// Counts heap allocations of the whole program: alloc_counter.cpp replaces
// every form of the global operator new and delete with counting versions.
#pragma once

#include <cstdint>

namespace read_qd {

/// operator new calls so far (all forms: plain, array, nothrow, aligned).
std::uint64_t allocation_count() noexcept;

/// operator delete calls so far, null pointers excluded.
std::uint64_t deallocation_count() noexcept;

/// True when the replacement is in effect (a new/delete pair moves the
/// counters); checked at start-up so a zero can be trusted.
bool allocation_counting_works();

} // namespace read_qd

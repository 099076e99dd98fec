// --verify: re-read source and copy and compare their XXH3-64 hashes.
#pragma once

#include "copy_plan.hpp"
#include "failure.hpp"
#include "file_pair.hpp"

#include <atomic>
#include <cstdint>
#include <optional>

namespace uring_cp {

/// Hashes the first `size` bytes of both sides of pair (buffered reads; the
/// descriptors lose O_DIRECT, which is fine once the copy is done). With
/// from_storage, the copy is flushed (fdatasync) and both files dropped from
/// the page cache first, so the copy is read back from the device rather
/// than from memory. A mismatch is a failure naming both hashes.
std::optional<failure> verify_copy(const copy_item& item, file_pair& pair, std::uint64_t size,
                                   bool from_storage, const std::atomic<bool>& stopping);

} // namespace uring_cp

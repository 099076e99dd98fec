// Replacement global allocation functions that count calls (one relaxed
// atomic increment each) and forward to malloc/free.
#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::uint64_t> allocations{0};
std::atomic<std::uint64_t> deallocations{0};

void* counted_alloc(std::size_t n) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t al) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*))
    a = sizeof(void*);
  void* p = nullptr;
  if (::posix_memalign(&p, a, n ? n : 1) != 0)
    return nullptr;
  return p;
}

void counted_free(void* p) noexcept {
  if (p) {
    deallocations.fetch_add(1, std::memory_order_relaxed);
    std::free(p);
  }
}

void* or_throw(void* p) {
  if (!p)
    throw std::bad_alloc();
  return p;
}

} // namespace

namespace read_qd {

std::uint64_t allocation_count() noexcept {
  return allocations.load(std::memory_order_relaxed);
}

std::uint64_t deallocation_count() noexcept {
  return deallocations.load(std::memory_order_relaxed);
}

bool allocation_counting_works() {
  std::uint64_t before = allocation_count();
  std::uint64_t freed = deallocation_count();
  int* volatile p = new int(1);
  delete p;
  return allocation_count() == before + 1 && deallocation_count() == freed + 1;
}

} // namespace read_qd

void* operator new(std::size_t n) {
  return or_throw(counted_alloc(n));
}
void* operator new[](std::size_t n) {
  return or_throw(counted_alloc(n));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n);
}
void* operator new(std::size_t n, std::align_val_t al) {
  return or_throw(counted_aligned_alloc(n, al));
}
void* operator new[](std::size_t n, std::align_val_t al) {
  return or_throw(counted_aligned_alloc(n, al));
}
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_aligned_alloc(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_aligned_alloc(n, al);
}

void operator delete(void* p) noexcept {
  counted_free(p);
}
void operator delete[](void* p) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  counted_free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counted_free(p);
}

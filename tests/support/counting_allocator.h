// Test support: replaces the global operator new/delete of a test binary
// with malloc/free versions that count allocations while counting is on.
// Include from exactly one source file per binary; other files of the same
// binary define RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY first to get the
// counter without a second definition of the operators.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace rkyolo::test {
inline std::atomic<bool> g_counting_allocations{false};
inline std::atomic<long> g_allocations{0};

// Counts allocations made while it lives.
class AllocationCounter {
 public:
  AllocationCounter() {
    g_allocations = 0;
    g_counting_allocations = true;
  }
  ~AllocationCounter() { g_counting_allocations = false; }
  long count() const { return g_allocations.load(); }
};
}  // namespace rkyolo::test

#ifndef RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY
void* operator new(std::size_t n) {
  if (rkyolo::test::g_counting_allocations.load(std::memory_order_relaxed))
    rkyolo::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (rkyolo::test::g_counting_allocations.load(std::memory_order_relaxed))
    rkyolo::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#endif  // RKYOLO_COUNTING_ALLOCATOR_COUNTER_ONLY

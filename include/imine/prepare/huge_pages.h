// Allocation for the big arrays of `imine prepare` (event records, hash-table slots).
//
// Why: with 4 KiB pages every random probe of a 100 MB hash table also misses the TLB, so the
// tables ask for transparent huge pages (MADV_HUGEPAGE; THP is usually in "madvise" mode). Big
// blocks are mmap'ed, so reserve() only claims address space and munmap returns the memory at
// once, and elements are default-initialized, not zeroed, so resize() touches nothing.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace imine {

// kHuge = false: the same mmap'ed, default-initializing allocation in small pages. In a VM,
// a huge page that the host has not backed yet costs more to fault in than small pages do
// (1-3 s per GB against 0.6, measured here), so arrays written once front to back (the event
// records) use small pages and only the randomly probed hash tables ask for huge ones.
template <typename T, bool kHuge = true>
class HugePageAllocator {
 public:
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = HugePageAllocator<U, kHuge>;
  };
  // Below this a block comes from malloc (small tables, tests).
  static constexpr size_t kMinHugeBytes = size_t{4} << 20;

  HugePageAllocator() noexcept = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U, kHuge>&) noexcept {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMinHugeBytes) {
      void* p = std::malloc(bytes == 0 ? 1 : bytes);
      if (p == nullptr) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Advice only: without transparent huge pages the memory simply stays in small pages.
    if (kHuge) ::madvise(p, bytes, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMinHugeBytes) {
      std::free(p);
    } else {
      ::munmap(p, bytes);
    }
  }
  // Default-initialization: resize() of trivial types leaves the new elements unwritten.
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U, kHuge>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const HugePageAllocator<U, kHuge>&) const noexcept {
    return false;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T, true>>;
// Big arrays written front to back (small pages, see above).
template <typename T>
using BigVector = std::vector<T, HugePageAllocator<T, false>>;

// Returns the whole 2 MiB pages inside [p, p + bytes) to the kernel (their contents are lost):
// memory that was read for the last time, handed back while the process still grows elsewhere,
// so that new pages come from these already-backed ones instead of fresh (in a VM, fresh memory
// costs about a second per GB to fault in).
inline void release_pages(void* p, size_t bytes) {
  constexpr uintptr_t kPage = uintptr_t{2} << 20;
  const auto b = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const auto e = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kPage - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

// A cap for reserve() calls that only claim address space: a quarter of physical memory, so a
// generous --memory-limit cannot make the kernel refuse the mapping.
inline size_t reservable_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) / 4
                               : size_t{1} << 30;
}

}  // namespace imine

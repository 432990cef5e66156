// HugePageAllocator: an allocator for the big arrays of the in-memory
// views (hundreds of megabytes filled once at start-up). An array of at
// least 2 MiB gets a mapping of its own, advised for transparent huge
// pages (madvise(MADV_HUGEPAGE)), so that filling it faults once per 2 MiB
// rather than once per 4 KiB page: on a virtual machine those faults were
// most of the time a start-up took to load the views. Smaller arrays come
// from operator new. Where the kernel gives no huge pages on request the
// mapping behaves like any other; freeing an array returns its memory to
// the system at once.
//
// Thread safety: stateless; as safe as mmap. Allocation failure throws
// std::bad_alloc, as std::allocator does.
#ifndef JOBTRACK_SERVICES_COMMON_HUGE_PAGE_ALLOCATOR_H_
#define JOBTRACK_SERVICES_COMMON_HUGE_PAGE_ALLOCATOR_H_

#include <sys/mman.h>

#include <cstddef>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace jobtrack {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding.

  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) return std::allocator<T>().allocate(n);
    void* p = mmap(nullptr, Mapped(bytes), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, Mapped(bytes), MADV_HUGEPAGE);  // Advice: failure is fine.
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) {
      std::allocator<T>().deallocate(p, n);
    } else {
      munmap(p, Mapped(bytes));
    }
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }

 private:
  static size_t Mapped(size_t bytes) {
    return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  }
};

// The containers the views use.
template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;
using HugeString =
    std::basic_string<char, std::char_traits<char>, HugePageAllocator<char>>;

}  // namespace jobtrack

#endif  // JOBTRACK_SERVICES_COMMON_HUGE_PAGE_ALLOCATOR_H_

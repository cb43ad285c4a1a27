#pragma once
// A growable array of trivially copyable T, 64-byte aligned, that either owns its memory or
// views a region loaded from a file (a copy-on-write mapping or a read buffer) kept alive by
// a shared pointer. Growing a view copies it into owned memory; writing in place is fine for
// both (mappings are private and writable). Large owned arrays can be put on huge pages.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace ragkernel::vector::detail {

struct AlignedFree {
  void operator()(void* p) const noexcept { std::free(p); }
};

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

// On by default (RAGKERNEL_HUGEPAGES=0 turns it off): on 1M rows of 384 floats, graph
// searches ran 19-23% faster (float32 and int8 codes) and the build was not slower. An early
// run on 200k rows had seen a slower build; it did not repeat at 1M.
inline bool huge_pages_wanted() noexcept {
  static const bool wanted = [] {
    const char* v = std::getenv("RAGKERNEL_HUGEPAGES");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return wanted;
}

// Arrays of 8 MiB and more (the vectors, codes and graph of a large index) are read at random
// by searches: on 2 MiB pages those reads miss the TLB far less often. When asked for, they are
// aligned to 2 MiB and advised before anything touches them, so the kernel backs them with huge
// pages as they are first written. The advice may be refused (then pages stay 4 KiB).
inline void* aligned_bytes(std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes >= 4 * kHugePage && huge_pages_wanted()) {
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);
    return p;
  }
#endif
  const std::size_t rounded = std::max<std::size_t>(64, (bytes + 63) / 64 * 64);
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

template <class T>
class Buffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Buffer() = default;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  std::size_t bytes() const noexcept { return capacity_ * sizeof(T); }

  // Grows (new elements = fill) or shrinks; capacity grows geometrically.
  void resize(std::size_t n, T fill = T{}) {
    if (n > capacity_) reallocate(std::max(n, capacity_ + capacity_ / 2));
    for (std::size_t i = size_; i < n; ++i) data_[i] = fill;
    size_ = n;
  }
  void reserve(std::size_t n) {
    if (n > capacity_) reallocate(n);
  }
  void assign(const T* src, std::size_t n) {
    release();
    resize(n);
    if (n != 0) std::memcpy(data_, src, n * sizeof(T));
  }
  // A copy with element blocks of `stride` elements moved: block b to block new_of_old[b].
  Buffer permuted(std::size_t stride, const std::vector<std::uint32_t>& new_of_old) const {
    Buffer out;
    if (size_ == 0) return out;
    out.resize(size_);
    for (std::size_t b = 0; b < new_of_old.size(); ++b) {
      std::memcpy(out.data_ + std::size_t{new_of_old[b]} * stride, data_ + b * stride, stride * sizeof(T));
    }
    return out;
  }
  // Frees the memory; the buffer is empty.
  void release() noexcept {
    owned_.reset();
    backing_.reset();
    data_ = nullptr;
    size_ = capacity_ = 0;
  }
  // Views n elements at data inside a region that `backing` keeps alive.
  void view(std::shared_ptr<void> backing, T* data, std::size_t n) {
    owned_.reset();
    backing_ = std::move(backing);
    data_ = data;
    size_ = capacity_ = n;
  }

 private:
  void reallocate(std::size_t capacity) {
    std::unique_ptr<T, AlignedFree> fresh(static_cast<T*>(aligned_bytes(capacity * sizeof(T))));
    if (size_ != 0) std::memcpy(fresh.get(), data_, size_ * sizeof(T));
    owned_ = std::move(fresh);
    backing_.reset();
    data_ = owned_.get();
    capacity_ = capacity;
  }

  std::unique_ptr<T, AlignedFree> owned_;
  std::shared_ptr<void> backing_;
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace ragkernel::vector::detail

#pragma once
// Scoring gathered rows (a graph node's neighbours): out[i] = pair(q, base + ids[i] * stride).
//
// Included only by the kernels_<isa>.cpp files (internal linkage: one copy per instruction
// set, compiled with its flags), so the pair kernel inlines here and graph traversal pays one
// indirect call per expanded node instead of one per neighbour. Neighbours are scattered in
// memory, so every row is a fresh cache miss: rows are prefetched a few ahead of their turn,
// which keeps several misses in flight instead of one.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "ragkernel/simd/kernels.hpp"
#include "simd/u3_kernels.hpp"
#include "simd/u4_kernels.hpp"

namespace ragkernel::simd {
namespace {

// Rows prefetched ahead of their turn, and the most bytes of a row prefetched (the hardware
// streamer follows a long row on its own once it has seen its first lines). A node's whole
// neighbour list fits in the window, so every row's first lines are requested before the
// first is scored: on 1M rows of 384 floats, where every row is a DRAM miss, this ran graph
// searches 20-25% faster than 2 rows ahead with 1 KB each (which was tuned at 20k rows, where
// rows sit in cache); 128 to 384 bytes per row measured the same within noise.
constexpr std::size_t kGatherAhead = 32;
constexpr std::size_t kGatherPrefetchBytes = 256;

inline void prefetch_span(const void* start, std::size_t bytes) noexcept {
  const char* p = static_cast<const char*>(start);
  const std::size_t end = std::min(bytes, kGatherPrefetchBytes);
  for (std::size_t off = 0; off < end; off += 64) __builtin_prefetch(p + off, 0, 3);
}

// Q: the query's element type; T: the rows'; RowBytes: the bytes of a row of d elements.
template <class Q, class T, class R, R (*Pair)(const Q*, const T*, std::size_t) noexcept,
          std::size_t (*RowBytes)(std::size_t) noexcept>
void gather_rows(const Q* q, const T* base, std::size_t stride, const std::uint32_t* ids, std::size_t n, std::size_t d,
                 R* out) noexcept {
  const std::size_t bytes = RowBytes(d);
  const std::size_t first = std::min(n, kGatherAhead);
  for (std::size_t i = 0; i < first; ++i) prefetch_span(base + std::size_t{ids[i]} * stride, bytes);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kGatherAhead < n) prefetch_span(base + std::size_t{ids[i + kGatherAhead]} * stride, bytes);
    out[i] = Pair(q, base + std::size_t{ids[i]} * stride, d);
  }
}

template <class T>
constexpr std::size_t dense_bytes(std::size_t d) noexcept {
  return d * sizeof(T);
}

// A level's table from its pair and row kernels; the gathered forms are derived from the pair
// kernels here, so every level gets them the same way (and the 4-bit kernel from
// u4_kernels.hpp and the 3-bit one from u3_kernels.hpp, at the widest form the level's flags
// compile).
template <auto Dot, auto L2, auto Cosine, auto DotI8, auto Hamming, auto DotRows, auto L2Rows, auto DotI8Rows,
          auto HammingRows, auto DotI8Sym, auto DotBlock>
constexpr Kernels make_kernels(Level level) noexcept {
  return {level,
          Dot,
          L2,
          Cosine,
          DotI8,
          Hamming,
          DotRows,
          L2Rows,
          DotI8Rows,
          HammingRows,
          DotI8Sym,
          DotBlock,
          &gather_rows<float, float, float, Dot, &dense_bytes<float>>,
          &gather_rows<float, float, float, L2, &dense_bytes<float>>,
          &gather_rows<std::int8_t, std::int8_t, std::int32_t, DotI8Sym, &dense_bytes<std::int8_t>>,
          &gather_rows<std::uint8_t, std::uint8_t, std::uint32_t, Hamming, &dense_bytes<std::uint8_t>>,
          &dot_u4,
          &gather_rows<std::int8_t, std::uint8_t, std::int32_t, &dot_u4, &u4_code_bytes>,
          &dot_u3};
}

}  // namespace
}  // namespace ragkernel::simd

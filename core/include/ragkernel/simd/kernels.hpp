#pragma once
// Distance kernels with run-time SIMD dispatch.
//
// Each instruction set has its own translation unit compiled with only its own flags; the
// table for the best level the CPU supports is chosen once, on first use. The environment
// variable RAGKERNEL_SIMD (scalar, sse4_2, avx2, avx512, neon) forces a level, so tests can
// run every compiled path against the scalar reference.
//
// Kernels never allocate, never throw and do not check their inputs: NaN in, NaN out.
// Validation belongs to the callers (indexes, bindings).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ragkernel::simd {

enum class Level : int { scalar = 0, sse4_2 = 1, avx2 = 2, avx512 = 3, neon = 4 };

struct Kernels {
  Level level;

  // Single pairs. `d` is the number of elements (bytes for hamming).
  float (*dot_f32)(const float* a, const float* b, std::size_t d) noexcept;
  float (*l2sq_f32)(const float* a, const float* b, std::size_t d) noexcept;
  // dot(a, b) / (|a| |b|); 0 when either norm is 0.
  float (*cosine_f32)(const float* a, const float* b, std::size_t d) noexcept;
  std::int32_t (*dot_i8)(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept;
  std::uint32_t (*hamming)(const std::uint8_t* a, const std::uint8_t* b, std::size_t nbytes) noexcept;

  // One query against `n` rows, row i starting at rows + i * stride (stride >= d, in elements).
  // These share the query's loads across rows; the flat scan is built on them.
  void (*dot_f32_rows)(const float* q, const float* rows, std::size_t n, std::size_t d, std::size_t stride,
                       float* out) noexcept;
  void (*l2sq_f32_rows)(const float* q, const float* rows, std::size_t n, std::size_t d, std::size_t stride,
                        float* out) noexcept;
  void (*dot_i8_rows)(const std::int8_t* q, const std::int8_t* rows, std::size_t n, std::size_t d, std::size_t stride,
                      std::int32_t* out) noexcept;
  void (*hamming_rows)(const std::uint8_t* q, const std::uint8_t* rows, std::size_t n, std::size_t nbytes,
                       std::size_t stride, std::uint32_t* out) noexcept;

  // dot_i8 for codes in [-127, 127] (never -128), as quantizers produce them: that range lets
  // AVX2 multiply bytes directly (sign + maddubs) instead of widening them first.
  std::int32_t (*dot_i8_sym)(const std::int8_t* a, const std::int8_t* b, std::size_t d) noexcept;

  // A tile of inner products: out[i * out_stride + j] = dot(q_i, row_j) for nq queries (query i
  // at q + i * q_stride) and n rows (row j at rows + j * stride). Register-blocked so each load
  // of a row serves several queries: the batched exact search is built on it.
  void (*dot_f32_block)(const float* q, std::size_t nq, std::size_t q_stride, const float* rows, std::size_t n,
                        std::size_t stride, std::size_t d, float* out, std::size_t out_stride) noexcept;

  // Gathered rows: out[i] = f(q, base + ids[i] * stride) for i < n (stride in elements; d
  // elements, or bytes for hamming). Graph traversal scores a node's unvisited neighbours with
  // one call; the kernels prefetch rows ahead of use.
  void (*dot_f32_ids)(const float* q, const float* base, std::size_t stride, const std::uint32_t* ids, std::size_t n,
                      std::size_t d, float* out) noexcept;
  void (*l2sq_f32_ids)(const float* q, const float* base, std::size_t stride, const std::uint32_t* ids, std::size_t n,
                       std::size_t d, float* out) noexcept;
  void (*dot_i8_sym_ids)(const std::int8_t* q, const std::int8_t* base, std::size_t stride, const std::uint32_t* ids,
                         std::size_t n, std::size_t d, std::int32_t* out) noexcept;
  void (*hamming_ids)(const std::uint8_t* q, const std::uint8_t* base, std::size_t stride, const std::uint32_t* ids,
                      std::size_t n, std::size_t nbytes, std::uint32_t* out) noexcept;

  // 4-bit codes: sum_j q[j] * code_j for int8 weights q and codes in [0, 15] packed two per
  // byte in the nibble layout (u4_code_bytes below); the gathered form as above, stride in
  // bytes. Graph traversal on 4-bit codes reads half the bytes of int8 per neighbour.
  std::int32_t (*dot_u4)(const std::int8_t* q, const std::uint8_t* codes, std::size_t d) noexcept;
  void (*dot_u4_ids)(const std::int8_t* q, const std::uint8_t* base, std::size_t stride, const std::uint32_t* ids,
                     std::size_t n, std::size_t d, std::int32_t* out) noexcept;
  // 3-bit codes: sum_j q[j] * code_j for codes in [0, 7] in the 3-bit layout (u3_code_bytes
  // below). They refine 4-bit codes for rescoring: 7 bits per dimension in all.
  std::int32_t (*dot_u3)(const std::int8_t* q, const std::uint8_t* codes, std::size_t d) noexcept;
};

// Nibble layout of a 4-bit code: dimensions go in blocks of 64, and dimension 64 * b + t is
// the low nibble (t < 32) or the high nibble (t >= 32) of byte 32 * b + t % 32. A block is
// then one 32-byte load whose two nibble halves meet 32 consecutive query weights each.
constexpr std::size_t u4_code_bytes(std::size_t d) noexcept {
  return 32 * (d / 64) + std::min<std::size_t>(d % 64, 32);
}
constexpr std::size_t u4_byte(std::size_t j) noexcept { return 32 * (j / 64) + j % 32; }
constexpr unsigned u4_shift(std::size_t j) noexcept { return j % 64 >= 32 ? 4u : 0u; }

// 3-bit layout: a plane of the codes' two high bits, then a plane of their low bits, each in
// 16-byte blocks. In the first, dimension 64 * b + t is bits 2 * (t / 16) and up of byte
// 16 * b + t % 16; in the second, dimension 128 * b + t is bit t / 16 of byte 16 * b + t % 16.
// A block is one 16-byte load whose bit groups meet 16 consecutive query weights each.
constexpr std::size_t u3_high_bytes(std::size_t d) noexcept {
  return 16 * (d / 64) + std::min<std::size_t>(d % 64, 16);
}
constexpr std::size_t u3_low_bytes(std::size_t d) noexcept {
  return 16 * (d / 128) + std::min<std::size_t>(d % 128, 16);
}
constexpr std::size_t u3_code_bytes(std::size_t d) noexcept { return u3_high_bytes(d) + u3_low_bytes(d); }
constexpr std::size_t u3_high_byte(std::size_t j) noexcept { return 16 * (j / 64) + j % 16; }
constexpr unsigned u3_high_shift(std::size_t j) noexcept { return static_cast<unsigned>(2 * (j % 64 / 16)); }
constexpr std::size_t u3_low_byte(std::size_t d, std::size_t j) noexcept {
  return u3_high_bytes(d) + 16 * (j / 128) + j % 16;
}
constexpr unsigned u3_low_shift(std::size_t j) noexcept { return static_cast<unsigned>(j % 128 / 16); }

// The table for the chosen level (RAGKERNEL_SIMD if set, else the best supported).
// Throws InvalidArgument on first use if RAGKERNEL_SIMD names an unknown or unsupported level.
const Kernels& active();

// The table for one level. Throws InvalidArgument if it is not compiled in or the CPU lacks it.
const Kernels& for_level(Level level);

std::vector<Level> compiled_levels();   // built into this binary
std::vector<Level> supported_levels();  // compiled and runnable on this CPU, scalar first

std::string_view to_string(Level level) noexcept;
Level parse_level(std::string_view name);  // throws InvalidArgument naming the valid levels

}  // namespace ragkernel::simd

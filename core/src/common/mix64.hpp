#pragma once
// MurmurHash3's 64-bit finaliser: spreads every input bit over the whole word. Used where a
// cheap, well-mixed hash of an integer is needed (hash tables, reproducible HNSW levels).
#include <cstdint>

namespace ragkernel::detail {

constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}

}  // namespace ragkernel::detail

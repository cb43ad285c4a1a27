#pragma once
// LEB128 varints for the forward index (each document's sorted distinct term ids as gaps).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ragkernel::text::detail {

inline void put_varint(std::vector<std::uint8_t>& out, std::uint32_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// Calls fn(running sum) for each varint gap in bytes[0..n).
template <class Fn>
void for_each_varint_sum(const std::uint8_t* bytes, std::size_t n, Fn&& fn) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < n;) {
    std::uint32_t v = 0;
    int shift = 0;
    while (bytes[i] & 0x80) {
      v |= static_cast<std::uint32_t>(bytes[i++] & 0x7F) << shift;
      shift += 7;
    }
    v |= static_cast<std::uint32_t>(bytes[i++]) << shift;
    sum += v;
    fn(sum);
  }
}

}  // namespace ragkernel::text::detail

#pragma once
// Growth of the index's flat arrays: by an eighth instead of doubling, so a built index holds
// little unused capacity while appends stay amortised O(1) (each byte is copied about 8 times).
#include <algorithm>
#include <cstddef>
#include <vector>

namespace ragkernel::text::detail {

template <class T>
void reserve_for(std::vector<T>& v, std::size_t extra) {
  const std::size_t need = v.size() + extra;
  if (need > v.capacity()) v.reserve(std::max(need, v.capacity() + v.capacity() / 8 + 64));
}

}  // namespace ragkernel::text::detail

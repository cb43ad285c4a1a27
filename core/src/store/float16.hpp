#pragma once
// IEEE 754 binary16 conversion for cached vectors stored at half size: round to nearest even,
// overflow to infinity, subnormals kept (the same results as numpy's float16 casts).
#include <cstddef>
#include <cstdint>

namespace ragkernel::store::detail {

std::uint16_t float_to_half(float value) noexcept;
float half_to_float(std::uint16_t bits) noexcept;

void floats_to_halves(const float* in, std::uint16_t* out, std::size_t n) noexcept;
void halves_to_floats(const std::uint16_t* in, float* out, std::size_t n) noexcept;

}  // namespace ragkernel::store::detail

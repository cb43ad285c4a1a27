// Every supported SIMD level against the scalar reference, on seeded random inputs that
// include d = 1, dimensions that are not multiples of any vector width, and unaligned rows.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/build_info.hpp"
#include "ragkernel/simd/kernels.hpp"

namespace ragkernel {
namespace {

constexpr std::size_t kDims[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 384, 385, 768, 1536};
constexpr std::size_t kRows = 9;  // not a multiple of the 4-row blocks

// Float sums may differ only by rounding order: scale the error by the sum of |terms|.
constexpr double kFloatTolerance = 1e-5;

struct Inputs {
  std::vector<float> q, rows;
  std::vector<std::int8_t> q8, rows8;
  std::vector<std::uint8_t> qb, rowsb;
};

Inputs make_inputs(std::size_t d, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_int_distribution<int> byte(-128, 127);
  Inputs in;
  // One extra element in front so the data starts at an odd (unaligned) address.
  in.q.resize(d + 1);
  in.rows.resize(kRows * d + 1);
  in.q8.resize(d + 1);
  in.rows8.resize(kRows * d + 1);
  in.qb.resize(d + 1);
  in.rowsb.resize(kRows * d + 1);
  for (auto& x : in.q) x = normal(rng);
  for (auto& x : in.rows) x = normal(rng);
  for (auto& x : in.q8) x = static_cast<std::int8_t>(byte(rng));
  for (auto& x : in.rows8) x = static_cast<std::int8_t>(byte(rng));
  for (auto& x : in.qb) x = static_cast<std::uint8_t>(byte(rng) + 128);
  for (auto& x : in.rowsb) x = static_cast<std::uint8_t>(byte(rng) + 128);
  return in;
}

double abs_terms(const float* a, const float* b, std::size_t d, bool l2) {
  double s = 0;
  for (std::size_t i = 0; i < d; ++i)
    s += l2 ? (double(a[i]) - b[i]) * (double(a[i]) - b[i]) : std::fabs(double(a[i]) * b[i]);
  return s;
}

struct Worst {
  double error = 0.0;
  void add(double e) {
    if (!(e <= error)) error = e;  // NaN counts as the worst
  }
};

}  // namespace

std::vector<SelfCheckResult> self_check() {
  const simd::Kernels& ref = simd::for_level(simd::Level::scalar);
  std::vector<SelfCheckResult> results;
  for (simd::Level level : simd::supported_levels()) {
    const simd::Kernels& k = simd::for_level(level);
    std::mt19937 rng(42);
    Worst dot, l2, cos, dot8, ham;
    for (std::size_t d : kDims) {
      Inputs in = make_inputs(d, rng);
      const float* q = in.q.data() + 1;
      const float* rows = in.rows.data() + 1;
      std::vector<float> got(kRows), want(kRows);
      k.dot_f32_rows(q, rows, kRows, d, d, got.data());
      ref.dot_f32_rows(q, rows, kRows, d, d, want.data());
      for (std::size_t r = 0; r < kRows; ++r) {
        const double scale = kFloatTolerance * abs_terms(q, rows + r * d, d, false) + 1e-30;
        dot.add(std::fabs(double(got[r]) - want[r]) / scale);
        dot.add(std::fabs(double(k.dot_f32(q, rows + r * d, d)) - want[r]) / scale);
      }
      k.l2sq_f32_rows(q, rows, kRows, d, d, got.data());
      ref.l2sq_f32_rows(q, rows, kRows, d, d, want.data());
      for (std::size_t r = 0; r < kRows; ++r) {
        const double scale = kFloatTolerance * abs_terms(q, rows + r * d, d, true) + 1e-30;
        l2.add(std::fabs(double(got[r]) - want[r]) / scale);
        l2.add(std::fabs(double(k.l2sq_f32(q, rows + r * d, d)) - want[r]) / scale);
      }
      for (std::size_t r = 0; r < kRows; ++r) {
        cos.add(std::fabs(double(k.cosine_f32(q, rows + r * d, d)) - ref.cosine_f32(q, rows + r * d, d)) /
                kFloatTolerance);
      }
      std::vector<std::int32_t> got8(kRows), want8(kRows);
      k.dot_i8_rows(in.q8.data() + 1, in.rows8.data() + 1, kRows, d, d, got8.data());
      ref.dot_i8_rows(in.q8.data() + 1, in.rows8.data() + 1, kRows, d, d, want8.data());
      for (std::size_t r = 0; r < kRows; ++r) dot8.add(got8[r] == want8[r] ? 0.0 : 2.0);
      std::vector<std::uint32_t> gotb(kRows), wantb(kRows);
      k.hamming_rows(in.qb.data() + 1, in.rowsb.data() + 1, kRows, d, d, gotb.data());
      ref.hamming_rows(in.qb.data() + 1, in.rowsb.data() + 1, kRows, d, d, wantb.data());
      for (std::size_t r = 0; r < kRows; ++r) ham.add(gotb[r] == wantb[r] ? 0.0 : 2.0);
    }
    const std::string name(simd::to_string(level));
    for (auto [kernel, worst] :
         {std::pair{"dot_f32", dot}, {"l2sq_f32", l2}, {"cosine_f32", cos}, {"dot_i8", dot8}, {"hamming", ham}}) {
      results.push_back({name, kernel, worst.error, worst.error <= 1.0});
    }
  }
  return results;
}

}  // namespace ragkernel

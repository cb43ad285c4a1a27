// Every compiled SIMD level the CPU runs must agree with the scalar reference: float kernels
// within a rounding tolerance, integer kernels exactly. Inputs cover d = 1, dimensions that
// are not multiples of any vector width, and unaligned pointers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/simd/kernels.hpp"

namespace rs = ragkernel::simd;

namespace {

// |got - want| <= kRelTol * sum_i |term_i|: float sums in another order differ by rounding only.
constexpr double kRelTol = 1e-5;
const std::vector<std::size_t> kDims = {1,  2,  3,  5,   7,   8,   9,   15,  16,  17,  31,  32,   33,
                                        63, 64, 65, 100, 127, 128, 129, 255, 384, 385, 768, 1536, 1537};

class KernelLevel : public ::testing::TestWithParam<rs::Level> {
 protected:
  const rs::Kernels& ref = rs::for_level(rs::Level::scalar);
  const rs::Kernels& k = rs::for_level(GetParam());
  std::mt19937 rng{1234};

  std::vector<float> floats(std::size_t n) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> v(n);
    for (auto& x : v) x = normal(rng);
    return v;
  }
  template <class T>
  std::vector<T> bytes(std::size_t n) {
    std::uniform_int_distribution<int> dist(-128, 127);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(dist(rng));
    return v;
  }
};

double sum_abs_products(const float* a, const float* b, std::size_t d) {
  double s = 0;
  for (std::size_t i = 0; i < d; ++i) s += std::fabs(double(a[i]) * b[i]);
  return s;
}

double sum_sq_diffs(const float* a, const float* b, std::size_t d) {
  double s = 0;
  for (std::size_t i = 0; i < d; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return s;
}

TEST_P(KernelLevel, FloatKernelsMatchScalar) {
  constexpr std::size_t rows = 11;  // not a multiple of the 4-row blocks
  for (std::size_t d : kDims) {
    for (std::size_t offset : {0u, 1u, 3u}) {  // misalign by whole floats
      std::vector<float> qbuf = floats(d + offset), xbuf = floats(rows * d + offset);
      const float* q = qbuf.data() + offset;
      const float* x = xbuf.data() + offset;
      std::vector<float> got(rows), want(rows);
      k.dot_f32_rows(q, x, rows, d, d, got.data());
      ref.dot_f32_rows(q, x, rows, d, d, want.data());
      for (std::size_t r = 0; r < rows; ++r) {
        const double tol = kRelTol * sum_abs_products(q, x + r * d, d);
        EXPECT_NEAR(got[r], want[r], tol) << "dot_f32_rows d=" << d << " row=" << r;
        EXPECT_NEAR(k.dot_f32(q, x + r * d, d), want[r], tol) << "dot_f32 d=" << d;
      }
      k.l2sq_f32_rows(q, x, rows, d, d, got.data());
      ref.l2sq_f32_rows(q, x, rows, d, d, want.data());
      for (std::size_t r = 0; r < rows; ++r) {
        const double tol = kRelTol * sum_sq_diffs(q, x + r * d, d);
        EXPECT_NEAR(got[r], want[r], tol) << "l2sq_f32_rows d=" << d;
        EXPECT_NEAR(k.l2sq_f32(q, x + r * d, d), want[r], tol) << "l2sq_f32 d=" << d;
      }
      for (std::size_t r = 0; r < rows; ++r) {
        EXPECT_NEAR(k.cosine_f32(q, x + r * d, d), ref.cosine_f32(q, x + r * d, d), kRelTol) << "cosine d=" << d;
      }
    }
  }
}

TEST_P(KernelLevel, RowsWithStrideSkipPadding) {
  const std::size_t d = 37, stride = 40, rows = 6;
  std::vector<float> q = floats(d), x = floats(rows * stride);
  std::vector<float> got(rows);
  k.dot_f32_rows(q.data(), x.data(), rows, d, stride, got.data());
  for (std::size_t r = 0; r < rows; ++r) {
    EXPECT_NEAR(got[r], ref.dot_f32(q.data(), x.data() + r * stride, d),
                kRelTol * sum_abs_products(q.data(), x.data() + r * stride, d));
  }
}

TEST_P(KernelLevel, Int8DotIsExact) {
  constexpr std::size_t rows = 7;
  for (std::size_t d : kDims) {
    auto qbuf = bytes<std::int8_t>(d + 1), xbuf = bytes<std::int8_t>(rows * d + 1);
    std::vector<std::int32_t> got(rows), want(rows);
    k.dot_i8_rows(qbuf.data() + 1, xbuf.data() + 1, rows, d, d, got.data());
    ref.dot_i8_rows(qbuf.data() + 1, xbuf.data() + 1, rows, d, d, want.data());
    EXPECT_EQ(got, want) << "d=" << d;
  }
  // Extremes: -128 * -128 summed over a long vector must not overflow 16-bit lanes.
  std::vector<std::int8_t> lo(4096, -128);
  EXPECT_EQ(k.dot_i8(lo.data(), lo.data(), lo.size()), 4096 * 16384);
}

TEST_P(KernelLevel, HammingIsExact) {
  constexpr std::size_t rows = 7;
  for (std::size_t nbytes : kDims) {
    auto qbuf = bytes<std::uint8_t>(nbytes + 1), xbuf = bytes<std::uint8_t>(rows * nbytes + 1);
    std::vector<std::uint32_t> got(rows), want(rows);
    k.hamming_rows(qbuf.data() + 1, xbuf.data() + 1, rows, nbytes, nbytes, got.data());
    ref.hamming_rows(qbuf.data() + 1, xbuf.data() + 1, rows, nbytes, nbytes, want.data());
    EXPECT_EQ(got, want) << "nbytes=" << nbytes;
  }
  std::vector<std::uint8_t> zeros(48, 0), ones(48, 0xFF);
  EXPECT_EQ(k.hamming(zeros.data(), ones.data(), 48), 384u);
}

// The 4-bit kernel against a plain sum over the documented nibble layout (not against the
// scalar table, which shares the code under test), codes at their extremes included.
TEST_P(KernelLevel, FourBitDotFollowsTheNibbleLayout) {
  const std::vector<std::uint32_t> ids{4, 0, 2, 2, 1, 3};
  std::uniform_int_distribution<int> nibble(0, 15);
  for (std::size_t d : kDims) {
    const std::size_t bytes_per_row = rs::u4_code_bytes(d);
    const std::size_t stride = bytes_per_row + 5;
    auto q = bytes<std::int8_t>(d);
    for (auto& c : q) c = std::max<std::int8_t>(c, -127);
    std::vector<std::vector<int>> codes(5, std::vector<int>(d));
    std::vector<std::uint8_t> packed(5 * stride, 0xAB);  // padding bytes must not be read as codes
    for (std::size_t r = 0; r < 5; ++r) {
      std::fill_n(packed.begin() + static_cast<std::ptrdiff_t>(r * stride), bytes_per_row, 0);
      for (std::size_t j = 0; j < d; ++j) {
        codes[r][j] = r == 4 ? 15 : nibble(rng);
        packed[r * stride + rs::u4_byte(j)] |= static_cast<std::uint8_t>(codes[r][j] << rs::u4_shift(j));
      }
    }
    if (d % 64 == 0) {
      EXPECT_EQ(bytes_per_row, d / 2) << "d=" << d;
    }
    std::vector<std::int32_t> got(ids.size());
    k.dot_u4_ids(q.data(), packed.data(), stride, ids.data(), ids.size(), d, got.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::int32_t want = 0;
      for (std::size_t j = 0; j < d; ++j) want += q[j] * codes[ids[i]][j];
      EXPECT_EQ(got[i], want) << "d=" << d << " row " << ids[i];
      EXPECT_EQ(k.dot_u4(q.data(), packed.data() + ids[i] * stride, d), want) << "d=" << d;
    }
  }
  // Every weight -127 against every code 15 over a long vector: no 16-bit lane saturates.
  std::vector<std::int8_t> q(1536, -127);
  std::vector<std::uint8_t> all15(rs::u4_code_bytes(1536), 0xFF);
  EXPECT_EQ(k.dot_u4(q.data(), all15.data(), 1536), -127 * 15 * 1536);
}

// The 3-bit kernel against a plain sum over the documented 3-bit layout, extremes included.
TEST_P(KernelLevel, ThreeBitDotFollowsTheThreeBitLayout) {
  std::uniform_int_distribution<int> code(0, 7);
  for (std::size_t d : kDims) {
    const std::size_t bytes_per_row = rs::u3_code_bytes(d);
    auto q = bytes<std::int8_t>(d);
    for (auto& c : q) c = std::max<std::int8_t>(c, -127);
    for (int extreme : {-1, 7}) {
      std::vector<int> codes(d);
      std::vector<std::uint8_t> packed(bytes_per_row, 0);
      for (std::size_t j = 0; j < d; ++j) {
        codes[j] = extreme < 0 ? code(rng) : extreme;
        packed[rs::u3_high_byte(j)] |= static_cast<std::uint8_t>((codes[j] >> 1) << rs::u3_high_shift(j));
        packed[rs::u3_low_byte(d, j)] |= static_cast<std::uint8_t>((codes[j] & 1) << rs::u3_low_shift(j));
      }
      std::int32_t want = 0;
      for (std::size_t j = 0; j < d; ++j) want += q[j] * codes[j];
      EXPECT_EQ(k.dot_u3(q.data(), packed.data(), d), want) << "d=" << d;
    }
    if (d % 128 == 0) {
      EXPECT_EQ(bytes_per_row, 3 * d / 8) << "d=" << d;
    }
  }
  // Every weight -127 against every code 7 over a long vector: no 16-bit lane saturates.
  std::vector<std::int8_t> q(1536, -127);
  std::vector<std::uint8_t> all7(rs::u3_code_bytes(1536), 0xFF);
  EXPECT_EQ(k.dot_u3(q.data(), all7.data(), 1536), -127 * 7 * 1536);
}

// Gathered rows (graph traversal): the same answer as scoring each listed row on its own,
// with repeated and out-of-order ids, for every code.
TEST_P(KernelLevel, GatheredRowsMatchScalar) {
  constexpr std::size_t rows = 9;
  const std::vector<std::uint32_t> ids{7, 0, 3, 3, 8, 1, 6, 2, 5, 4, 0};
  for (std::size_t d : kDims) {
    const std::size_t stride = d + 3;  // padded rows
    std::vector<float> q = floats(d), x = floats(rows * stride);
    std::vector<float> got(ids.size());
    k.dot_f32_ids(q.data(), x.data(), stride, ids.data(), ids.size(), d, got.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const float* row = x.data() + ids[i] * stride;
      EXPECT_NEAR(got[i], ref.dot_f32(q.data(), row, d), kRelTol * sum_abs_products(q.data(), row, d)) << "d=" << d;
    }
    k.l2sq_f32_ids(q.data(), x.data(), stride, ids.data(), ids.size(), d, got.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const float* row = x.data() + ids[i] * stride;
      EXPECT_NEAR(got[i], ref.l2sq_f32(q.data(), row, d), kRelTol * sum_sq_diffs(q.data(), row, d)) << "d=" << d;
    }
    auto qi = bytes<std::int8_t>(d), xi = bytes<std::int8_t>(rows * stride);
    for (auto* codes : {&qi, &xi}) {
      for (auto& c : *codes) c = std::max<std::int8_t>(c, -127);  // the symmetric kernel's range
    }
    std::vector<std::int32_t> dots(ids.size());
    k.dot_i8_sym_ids(qi.data(), xi.data(), stride, ids.data(), ids.size(), d, dots.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(dots[i], ref.dot_i8_sym(qi.data(), xi.data() + ids[i] * stride, d)) << "d=" << d;
    }
    auto qb = bytes<std::uint8_t>(d), xb = bytes<std::uint8_t>(rows * stride);
    std::vector<std::uint32_t> bits(ids.size());
    k.hamming_ids(qb.data(), xb.data(), stride, ids.data(), ids.size(), d, bits.data());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(bits[i], ref.hamming(qb.data(), xb.data() + ids[i] * stride, d)) << "d=" << d;
    }
  }
}

TEST_P(KernelLevel, CosineOfZeroVectorIsZero) {
  std::vector<float> zero(10, 0.f), x = floats(10);
  EXPECT_EQ(k.cosine_f32(zero.data(), x.data(), 10), 0.f);
}

TEST_P(KernelLevel, NanPropagates) {
  std::vector<float> a = floats(33), b = floats(33);
  a[32] = std::nanf("");
  EXPECT_TRUE(std::isnan(k.dot_f32(a.data(), b.data(), 33)));
  EXPECT_TRUE(std::isnan(k.l2sq_f32(a.data(), b.data(), 33)));
}

std::string level_name(const ::testing::TestParamInfo<rs::Level>& info) {
  return std::string(rs::to_string(info.param));
}

INSTANTIATE_TEST_SUITE_P(Supported, KernelLevel, ::testing::ValuesIn(rs::supported_levels()), level_name);

TEST(Dispatch, ScalarAlwaysCompiledAndFirst) {
  ASSERT_FALSE(rs::supported_levels().empty());
  EXPECT_EQ(rs::supported_levels().front(), rs::Level::scalar);
}

TEST(Dispatch, ActiveIsBestSupportedUnlessForced) {
  if (std::getenv("RAGKERNEL_SIMD") == nullptr) {
    EXPECT_EQ(rs::active().level, rs::supported_levels().back());
  } else {
    EXPECT_EQ(rs::to_string(rs::active().level), std::getenv("RAGKERNEL_SIMD"));
  }
}

TEST(Dispatch, ParseLevelRejectsUnknownNames) {
  EXPECT_EQ(rs::parse_level("avx2"), rs::Level::avx2);
  try {
    rs::parse_level("sse9");
    FAIL() << "expected InvalidArgument";
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown SIMD level 'sse9'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("scalar"), std::string::npos);
  }
}

TEST(Dispatch, UnsupportedLevelIsAClearError) {
  for (rs::Level level : {rs::Level::sse4_2, rs::Level::avx2, rs::Level::avx512, rs::Level::neon}) {
    const auto supported = rs::supported_levels();
    if (std::find(supported.begin(), supported.end(), level) != supported.end()) continue;
    EXPECT_THROW(rs::for_level(level), ragkernel::InvalidArgument) << rs::to_string(level);
  }
}

}  // namespace

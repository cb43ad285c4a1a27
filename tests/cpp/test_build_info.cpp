#include "ragkernel/build_info.hpp"

#include <gtest/gtest.h>

namespace {

TEST(BuildInfo, ReportsVersionSimdAndThreads) {
  const ragkernel::BuildInfo info = ragkernel::build_info();
  EXPECT_FALSE(info.version.empty());
  EXPECT_FALSE(info.compiler.empty());
  ASSERT_FALSE(info.compiled_simd.empty());
  EXPECT_EQ(info.compiled_simd.front(), "scalar");
  EXPECT_EQ(info.supported_simd.front(), "scalar");
  EXPECT_GE(info.openmp_max_threads, 1);
  EXPECT_GT(info.openmp_version, 0);
}

TEST(BuildInfo, SelfCheckPassesOnEverySupportedLevel) {
  const auto results = ragkernel::self_check();
  const auto levels = ragkernel::build_info().supported_simd;
  EXPECT_EQ(results.size(), levels.size() * 5);
  for (const auto& r : results) EXPECT_TRUE(r.ok) << r.level << " " << r.kernel << " error " << r.max_error;
}

}  // namespace

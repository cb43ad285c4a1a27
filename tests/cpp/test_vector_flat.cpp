// The flat index against a naive reference; quantized codes against float32; ids, deletes,
// filters, bad input and files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ragkernel/error.hpp"
#include "ragkernel/simd/kernels.hpp"
#include "ragkernel/vector/index.hpp"
#include "vector_test_data.hpp"

namespace ragkernel::vector {
namespace {

using testing::clustered;
using testing::iota_ids;

constexpr std::size_t kD = 37;  // odd, so kernels' tails are exercised
constexpr std::size_t kN = 3000;

std::unique_ptr<Index> make(Metric metric, Quantization q = Quantization::none, IndexKind kind = IndexKind::flat,
                            bool keep_float = true) {
  IndexOptions o;
  o.dim = kD;
  o.metric = metric;
  o.quantization = q;
  o.kind = kind;
  o.keep_float = keep_float;
  return Index::create(o);
}

class FlatMetric : public ::testing::TestWithParam<Metric> {};

TEST_P(FlatMetric, MatchesNaiveReference) {
  const Metric metric = GetParam();
  // Not a multiple of 8 (scores are tested against the bound 8 at a time) nor of a tile.
  constexpr std::size_t n = kN + 5;
  const auto data = clustered(n, kD, 1);
  const auto queries = clustered(70, kD, 2);
  auto index = make(metric);
  index->add(iota_ids(n), data.data());
  // 70 queries take the large-batch path (GEMM tiles).
  for (std::size_t nq : {std::size_t{1}, std::size_t{3}, std::size_t{40}, std::size_t{70}}) {
    const SearchResults r = index->search(queries.data(), nq, 10);
    for (std::size_t q = 0; q < nq; ++q) {
      // The reference top 10 by naive double-precision scores.
      std::vector<std::pair<double, std::uint32_t>> all;
      for (std::uint32_t i = 0; i < n; ++i) {
        const double s = testing::naive_score(metric, queries.data() + q * kD, data.data() + i * kD, kD);
        all.push_back({metric == Metric::l2 ? s : -s, i});
      }
      std::sort(all.begin(), all.end());
      for (std::size_t j = 0; j < 10; ++j) {
        const double want = metric == Metric::l2 ? all[j].first : -all[j].first;
        EXPECT_NEAR(r.scores[q * 10 + j], want, 1e-3 * std::max(1.0, std::fabs(want)))
            << "query " << q << " rank " << j;
        if (j + 1 < 10 && std::fabs(all[j].first - all[j + 1].first) > 1e-4 &&
            (j == 0 || std::fabs(all[j - 1].first - all[j].first) > 1e-4)) {
          EXPECT_EQ(r.ids[q * 10 + j], all[j].second) << "query " << q << " rank " << j;
        }
      }
    }
  }
}

// The float32 flat answer (top 10) for queries over data.
SearchResults exact_answer(Metric metric, const std::vector<float>& data, const std::vector<float>& queries) {
  auto exact = make(metric);
  exact->add(iota_ids(data.size() / kD), data.data());
  return exact->search(queries.data(), queries.size() / kD, 10);
}

TEST_P(FlatMetric, QuantizedCodesKeepRecall) {
  const Metric metric = GetParam();
  const auto data = clustered(kN, kD, 3);
  const auto queries = clustered(50, kD, 4);
  const SearchResults truth = exact_answer(metric, data, queries);
  struct Case {
    Quantization q;
    bool keep_float;
    double floor;
  };
  // Floors per code: int8 with float32 rescoring is near exact; binary (37 bits here, far
  // fewer than real embeddings have) needs its oversampled rescoring to stay useful; int4
  // ranks candidates well enough for its rescoring to be near exact.
  for (const Case c : {Case{Quantization::int8, true, 0.97}, Case{Quantization::int8, false, 0.9},
                       Case{Quantization::binary, true, 0.6}, Case{Quantization::binary, false, 0.55},
                       Case{Quantization::int4, true, 0.95}, Case{Quantization::int4, false, 0.9}}) {
    auto index = make(metric, c.q, IndexKind::flat, c.keep_float);
    index->add(iota_ids(kN), data.data());
    EXPECT_GE(testing::recall(index->search(queries.data(), 50, 10), truth), c.floor)
        << to_string(c.q) << " keep_float=" << c.keep_float;
  }
}

// Rescoring may stop early only where the rescoring code bounds the coarse code's error. Rows
// with rare large values (clamped by the codes' trained ranges, so their coarse error is many
// steps) and every row a candidate: rescoring against float32 must return the float32 answer.
TEST_P(FlatMetric, RescoringKeepsTheExactAnswerWhenCodesClamp) {
  const Metric metric = GetParam();
  auto data = clustered(kN, kD, 13);
  for (std::size_t i = 7; i < data.size(); i += 89) data[i] *= 12.f;  // about 1% of the values
  const auto queries = clustered(200, kD, 14);
  const SearchResults truth = exact_answer(metric, data, queries);
  SearchParams every_row;
  every_row.rescore = kN / 10;
  for (Quantization q : {Quantization::int8, Quantization::int4}) {
    auto index = make(metric, q);
    index->add(iota_ids(kN), data.data());
    const SearchResults got = index->search(queries.data(), 200, 10, nullptr, every_row);
    EXPECT_EQ(got.ids, truth.ids) << to_string(q);
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, FlatMetric, ::testing::Values(Metric::cosine, Metric::ip, Metric::l2),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

// Without float32 rows a 4-bit index keeps a 3-bit refinement of each code: 7 bits per
// dimension, less than an int8 code, and rescoring on them is near exact.
TEST(VectorFlat, FourBitWithoutFloatsKeepsSevenBitsPerDimension) {
  constexpr std::size_t d = 384, n = 2000;
  const auto data = clustered(n, d, 31);
  const auto queries = clustered(40, d, 32);
  IndexOptions o;
  o.dim = d;
  o.metric = Metric::cosine;
  o.quantization = Quantization::int4;
  o.keep_float = false;
  auto index = Index::create(o);
  index->add(iota_ids(n), data.data());
  const double per_row = static_cast<double>(index->memory_usage()) / n;
  EXPECT_GE(per_row, 192.0 + 144.0);  // the 4-bit code and its refinement
  EXPECT_LT(per_row, 384.0);          // an int8 code alone
  o.quantization = Quantization::none;
  o.keep_float = true;
  auto exact = Index::create(o);
  exact->add(iota_ids(n), data.data());
  const SearchResults truth = exact->search(queries.data(), 40, 10);
  const double fine_recall = testing::recall(index->search(queries.data(), 40, 10), truth);
  // About what an int8 code alone reaches on the same rows.
  o.quantization = Quantization::int8;
  o.keep_float = false;
  auto int8_only = Index::create(o);
  int8_only->add(iota_ids(n), data.data());
  const double int8_recall = testing::recall(int8_only->search(queries.data(), 40, 10), truth);
  EXPECT_GE(fine_recall, 0.93);
  EXPECT_GE(fine_recall, int8_recall - 0.03) << "int8 alone: " << int8_recall;
  // get() decodes the 7-bit code: nearly the original direction, at the original norm.
  std::vector<float> got(5 * d);
  const std::vector<std::uint32_t> ids{0, 1, 2, 500, 1999};
  index->get(ids, got.data());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    double dot = 0, gg = 0, xx = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = data[ids[i] * d + j], g = got[i * d + j];
      dot += x * g;
      gg += g * g;
      xx += x * x;
    }
    EXPECT_GT(dot / std::sqrt(gg * xx), 0.995) << "id " << ids[i];
    EXPECT_NEAR(std::sqrt(gg), std::sqrt(xx), 1e-3 * std::sqrt(xx)) << "id " << ids[i];
  }
}

TEST(VectorFlat, EveryKernelLevelGivesTheSameResults) {
  // The block kernel per SIMD level against the scalar table on a tile with ragged edges.
  const auto q = clustered(7, kD, 5);
  const auto rows = clustered(11, kD, 6);
  std::vector<float> want(7 * 11), got(7 * 11);
  simd::for_level(simd::Level::scalar).dot_f32_block(q.data(), 7, kD, rows.data(), 11, kD, kD, want.data(), 11);
  for (simd::Level level : simd::supported_levels()) {
    simd::for_level(level).dot_f32_block(q.data(), 7, kD, rows.data(), 11, kD, kD, got.data(), 11);
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-3f) << simd::to_string(level);
  }
  // A tile large enough for the GEMM path, with padded query, row and output strides.
  const std::size_t nq = 37, n = 150, stride = kD + 5, out_stride = n + 3;
  const auto bq = clustered(nq, stride, 7);
  const auto brows = clustered(n, stride, 8);
  std::vector<float> bwant(nq * out_stride, 0.f);
  simd::for_level(simd::Level::scalar)
      .dot_f32_block(bq.data(), nq, stride, brows.data(), n, stride, kD, bwant.data(), out_stride);
  for (simd::Level level : simd::supported_levels()) {
    std::vector<float> bgot(nq * out_stride, 0.f);
    simd::for_level(level).dot_f32_block(bq.data(), nq, stride, brows.data(), n, stride, kD, bgot.data(), out_stride);
    for (std::size_t i = 0; i < nq; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        EXPECT_NEAR(bgot[i * out_stride + j], bwant[i * out_stride + j], 1e-3f) << simd::to_string(level);
      }
      for (std::size_t j = n; j < out_stride; ++j) EXPECT_EQ(bgot[i * out_stride + j], 0.f) << "wrote past the tile";
    }
  }
}

TEST(VectorFlat, SymmetricInt8KernelIsExactOnEveryLevel) {
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<int> byte(-127, 127);
  for (std::size_t d : {std::size_t{1}, std::size_t{31}, std::size_t{64}, std::size_t{100}, std::size_t{384}}) {
    std::vector<std::int8_t> a(d), b(d);
    for (std::size_t j = 0; j < d; ++j) {
      a[j] = static_cast<std::int8_t>(byte(rng));
      b[j] = static_cast<std::int8_t>(j % 3 == 0 ? 127 : byte(rng));
    }
    a[0] = -127;
    b[0] = -127;  // the largest products must not saturate
    std::int32_t want = 0;
    for (std::size_t j = 0; j < d; ++j) want += std::int32_t{a[j]} * b[j];
    for (simd::Level level : simd::supported_levels()) {
      EXPECT_EQ(simd::for_level(level).dot_i8_sym(a.data(), b.data(), d), want) << simd::to_string(level) << " d=" << d;
    }
  }
}

TEST(VectorFlat, PadsWhenFewerThanKAndEmpty) {
  auto index = make(Metric::cosine);
  const auto data = clustered(3, kD, 7);
  SearchResults r = index->search(data.data(), 1, 5);  // empty index: padding, no error
  EXPECT_EQ(r.ids[0], SearchResults::kNoId);
  EXPECT_TRUE(std::isnan(r.scores[0]));
  index->add(iota_ids(3), data.data());
  r = index->search(data.data(), 1, 5);
  EXPECT_EQ(r.ids[0], 0u);
  EXPECT_NE(r.ids[2], SearchResults::kNoId);
  EXPECT_EQ(r.ids[3], SearchResults::kNoId);
  EXPECT_TRUE(std::isnan(r.scores[4]));
}

TEST(VectorFlat, FilterAdmitsOnlyAllowedIds) {
  // Sparse allow-sets (1 in 7 rows) are scanned as a list of ids, dense ones (1 in 2) in place;
  // one query, a small batch and a GEMM-sized batch; a removed id inside the allow-set.
  const auto data = clustered(kN, kD, 8);
  const auto queries = clustered(70, kD, 9);
  for (const Metric metric : {Metric::l2, Metric::ip, Metric::cosine}) {
    for (const Quantization code : {Quantization::none, Quantization::int8, Quantization::binary, Quantization::int4}) {
      auto index = make(metric, code);
      index->add(iota_ids(kN), data.data());
      const std::uint32_t removed[] = {14};
      index->remove(removed);
      for (const std::uint32_t every : {7u, 2u}) {
        Bitset allow(kN);
        for (std::uint32_t i = 0; i < kN; i += every) allow.set(i);
        for (const std::size_t nq : {std::size_t{1}, std::size_t{5}, std::size_t{70}}) {
          const SearchResults r = index->search(queries.data(), nq, 10, &allow);
          std::size_t hits = 0;
          for (std::size_t q = 0; q < nq; ++q) {
            // The reference: the best allowed, live rows by naive score.
            std::vector<std::pair<double, std::uint32_t>> all;
            for (std::uint32_t i = 0; i < kN; i += every) {
              if (i == removed[0]) continue;
              const double s = testing::naive_score(metric, queries.data() + q * kD, data.data() + i * kD, kD);
              all.push_back({metric == Metric::l2 ? s : -s, i});
            }
            std::sort(all.begin(), all.end());
            for (std::size_t j = 0; j < 10; ++j) {
              const std::uint32_t got = r.ids[q * 10 + j];
              EXPECT_TRUE(got % every == 0 && got != removed[0]) << got;
              for (std::size_t t = 0; t < 10; ++t) hits += got == all[t].second ? 1 : 0;
              if (code == Quantization::none) {
                const double want = metric == Metric::l2 ? all[j].first : -all[j].first;
                EXPECT_NEAR(r.scores[q * 10 + j], want, 1e-3 * std::max(1.0, std::fabs(want)));
              }
            }
          }
          const double recall = static_cast<double>(hits) / static_cast<double>(10 * nq);
          EXPECT_GE(recall, code == Quantization::none ? 0.999 : 0.9)
              << to_string(metric) << " " << to_string(code) << " every " << every << " nq " << nq;
        }
      }
      Bitset none(kN);
      EXPECT_EQ(index->search(data.data(), 1, 3, &none).ids[0], SearchResults::kNoId);
    }
  }
}

TEST(VectorFlat, RemoveUpsertAndSlotReuse) {
  const auto data = clustered(100, kD, 9);
  auto index = make(Metric::cosine);
  index->add(iota_ids(100), data.data());
  const std::uint32_t gone[] = {3, 4};
  index->remove(gone);
  EXPECT_EQ(index->size(), 98u);
  EXPECT_FALSE(index->contains(3));
  SearchResults r = index->search(data.data() + 3 * kD, 1, 100);
  for (std::uint32_t id : r.ids) EXPECT_NE(id, 3u);
  // Upsert: id 5 gets row 3's vector, id 3 comes back with row 4's.
  const std::uint32_t up[] = {5, 3};
  std::vector<float> rows(data.begin() + 3 * kD, data.begin() + 5 * kD);
  index->upsert(up, rows.data());
  EXPECT_EQ(index->size(), 99u);
  r = index->search(data.data() + 3 * kD, 1, 1);
  EXPECT_EQ(r.ids[0], 5u);
  std::vector<float> back(kD);
  const std::uint32_t three[] = {3};
  index->get(three, back.data());
  for (std::size_t j = 0; j < kD; ++j) EXPECT_FLOAT_EQ(back[j], data[4 * kD + j]);  // cosine keeps the original
}

TEST(VectorFlat, BadInputThrowsAndChangesNothing) {
  const auto data = clustered(10, kD, 10);
  auto index = make(Metric::cosine);
  index->add(iota_ids(10), data.data());
  const auto before = index->to_bytes();

  const std::uint32_t dup[] = {20, 20};
  std::vector<float> two(2 * kD, 1.f);
  EXPECT_THROW(index->add(dup, two.data()), InvalidArgument);
  const std::uint32_t present[] = {30, 3};
  EXPECT_THROW(index->add(present, two.data()), InvalidArgument);
  std::vector<float> nan_row(2 * kD, 1.f);
  nan_row[kD + 4] = std::nanf("");
  const std::uint32_t fresh[] = {40, 41};
  EXPECT_THROW(index->add(fresh, nan_row.data()), InvalidArgument);
  std::vector<float> inf_row(2 * kD, 1.f);
  inf_row[2] = INFINITY;
  EXPECT_THROW(index->upsert(fresh, inf_row.data()), InvalidArgument);
  std::vector<float> zero(2 * kD, 0.f);
  EXPECT_THROW(index->add(fresh, zero.data()), InvalidArgument);  // cosine needs a direction
  const std::uint32_t unknown[] = {1, 99};
  EXPECT_THROW(index->remove(unknown), NotFound);
  EXPECT_THROW(index->search(data.data(), 1, 0), InvalidArgument);
  EXPECT_THROW(index->search(nan_row.data() + kD, 1, 3), InvalidArgument);
  EXPECT_EQ(index->to_bytes(), before);
  EXPECT_EQ(index->size(), 10u);

  IndexOptions bad;
  EXPECT_THROW(Index::create(bad), InvalidArgument);  // dim 0
  bad.dim = 4;
  bad.keep_float = false;
  EXPECT_THROW(Index::create(bad), InvalidArgument);  // nothing would hold the vectors
}

class FlatFiles : public ::testing::TestWithParam<Quantization> {};

TEST_P(FlatFiles, RoundTripIsBitExact) {
  const auto data = clustered(500, kD, 11);
  auto index = make(Metric::l2, GetParam());
  index->add(iota_ids(500), data.data());
  const std::uint32_t gone[] = {7, 8, 9};
  index->remove(gone);
  const auto bytes = index->to_bytes();
  auto copy = Index::from_bytes(bytes);
  EXPECT_EQ(copy->to_bytes(), bytes);
  EXPECT_EQ(copy->size(), 497u);

  const std::string path = ::testing::TempDir() + "/flat_" + std::string(to_string(GetParam())) + ".rkv";
  index->save(path);
  for (bool mmap : {false, true}) {
    auto loaded = Index::load(path, mmap);
    EXPECT_EQ(loaded->to_bytes(), bytes) << "mmap=" << mmap;
    const SearchResults a = index->search(data.data(), 5, 10), b = loaded->search(data.data(), 5, 10);
    EXPECT_EQ(a.ids, b.ids);
    EXPECT_EQ(a.scores, b.scores);
    // A mapped index stays writable (copy-on-write): adding grows it into owned memory.
    const std::uint32_t more[] = {600};
    loaded->add(more, data.data());
    EXPECT_TRUE(loaded->contains(600));
  }
  std::stringstream stream;
  index->save(stream);
  EXPECT_EQ(Index::load(stream)->to_bytes(), bytes);
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Codes, FlatFiles,
                         ::testing::Values(Quantization::none, Quantization::int8, Quantization::binary,
                                           Quantization::int4),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(VectorFlat, CorruptTruncatedAndForeignFilesAreRejected) {
  const auto data = clustered(50, kD, 12);
  auto index = make(Metric::ip);
  index->add(iota_ids(50), data.data());
  const auto bytes = index->to_bytes();
  auto truncated = bytes;
  truncated.resize(bytes.size() - 100);
  EXPECT_THROW(Index::from_bytes(truncated), Corruption);
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= std::byte{0x10};
  EXPECT_THROW(Index::from_bytes(flipped), Corruption);
  auto header = bytes;
  header[20] ^= std::byte{0x01};
  EXPECT_THROW(Index::from_bytes(header), Corruption);
  std::vector<std::byte> foreign(300, std::byte{'x'});
  EXPECT_THROW(Index::from_bytes(foreign), Corruption);
  EXPECT_THROW(Index::from_bytes({}), Corruption);
  EXPECT_THROW(Index::load(::testing::TempDir() + "/does-not-exist.rkv"), IOError);
}

}  // namespace
}  // namespace ragkernel::vector

#pragma once
// Seeded documents for the collection tests: Zipf-like texts over a small vocabulary (so BM25
// has ties and rare terms), typed metadata and clustered vectors.
// GCC 12 reports a false -Wrestrict for "literal" + std::string (GCC bug 105329).
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/collection/collection.hpp"
#include "vector_test_data.hpp"

namespace ragkernel::collection::testing {

// Documents plus the storage their vectors point into.
struct Corpus {
  Documents docs;
  std::vector<float> vectors;

  Corpus() = default;
  Corpus(const Corpus& other) : docs(other.docs), vectors(other.vectors) { docs.vectors = vectors; }
  Corpus& operator=(const Corpus&) = delete;
};

inline std::string word(std::size_t i) { return "w" + std::to_string(i); }

inline Corpus corpus(std::size_t n, std::size_t dim, std::uint64_t seed, const std::string& prefix = "d",
                     std::size_t first = 0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Corpus c;
  static const char* langs[] = {"en", "de", "fr"};
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t len = 3 + rng() % 12;
    std::string text;
    for (std::size_t t = 0; t < len; ++t) {
      const auto w = static_cast<std::size_t>(std::pow(300.0, u(rng)));  // Zipf-like
      text += (t ? " " : "") + word(w);
    }
    c.docs.ids.push_back(prefix + std::to_string(first + i));
    c.docs.texts.push_back(text);
    filter::Metadata m;
    m.emplace_back("year", static_cast<std::int64_t>(2000 + (first + i) % 25));
    m.emplace_back("lang", std::string(langs[(first + i) % 3]));
    if (i % 4 == 0) m.emplace_back("tags", std::vector<std::string>{"t" + std::to_string(i % 7), "all"});
    m.emplace_back("score", static_cast<double>(i % 10) / 4.0);
    c.docs.metadata.push_back(std::move(m));
  }
  if (dim > 0) c.vectors = vector::testing::clustered(n, dim, seed + 1);
  c.docs.vectors = c.vectors;
  return c;
}

inline CollectionOptions options(std::size_t dim, vector::IndexKind kind = vector::IndexKind::flat,
                                 vector::Quantization q = vector::Quantization::none) {
  CollectionOptions o;
  o.dim = dim;
  o.vector.kind = kind;
  o.vector.quantization = q;
  o.vector.M = 8;
  o.vector.ef_construction = 64;
  return o;
}

inline Query text_query(const std::string& text, std::size_t k = 10) {
  Query q;
  q.text = text;
  q.k = k;
  return q;
}

inline Query vector_query(std::span<const float> v, std::size_t k = 10) {
  Query q;
  q.vector = v;
  q.k = k;
  return q;
}

inline Query hybrid_query(const std::string& text, std::span<const float> v, std::size_t k = 10) {
  Query q = text_query(text, k);
  q.vector = v;
  return q;
}

inline std::shared_ptr<const filter::Filter> parse(const filter::Json& json) {
  return std::make_shared<const filter::Filter>(filter::parse_filter(json));
}

// {"field": {op: value}}
inline filter::Json leaf(const std::string& field, const std::string& op, filter::Json value) {
  filter::JsonObject inner{{op, std::move(value)}};
  filter::JsonObject outer{{field, filter::Json{std::move(inner)}}};
  return filter::Json{std::move(outer)};
}

// Hits as comparable tuples: id, score bits, per-source scores and ranks, text.
inline bool same_hits(const std::vector<Hit>& a, const std::vector<Hit>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].score != b[i].score || a[i].text != b[i].text) return false;
    for (std::size_t s = 0; s < kNumSources; ++s) {
      const auto &x = a[i].sources[s], &y = b[i].sources[s];
      if (x.rank != y.rank || (x.rank != 0 && x.score != y.score)) return false;
    }
  }
  return true;
}

}  // namespace ragkernel::collection::testing

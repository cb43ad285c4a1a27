#include "collection/search.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <utility>

#include "ragkernel/error.hpp"

namespace ragkernel::collection::detail {
namespace {

constexpr std::size_t kDefaultCandidates = 100;

struct Plan {
  bool text = false;
  bool dense = false;
  std::size_t depth = 0;  // per source
  const Bitset* allow = nullptr;
};

std::string label(std::size_t i, std::size_t n) { return n > 1 ? "query " + std::to_string(i) + ": " : ""; }

Plan check(const Indexes& indexes, const Query& q, std::size_t i, std::size_t n) {
  const std::string where = label(i, n);
  Plan p;
  p.text = q.text.has_value();
  p.dense = !q.vector.empty();
  if (!p.text && !p.dense) throw InvalidArgument(where + "a query needs text=..., vector=... or both");
  if (q.k == 0) throw InvalidArgument(where + "k must be at least 1, got 0");
  if (p.text && q.text->empty()) throw InvalidArgument(where + "query text is empty; pass some text, or text=None");
  if (p.dense) {
    const std::size_t dim = indexes.dim();
    if (dim == 0) throw InvalidArgument(where + "this collection is text-only (dim 0); search it with text=...");
    if (q.vector.size() != dim) {
      throw InvalidArgument(where + "query vector has dimension " + std::to_string(q.vector.size()) +
                            ", the collection expects " + std::to_string(dim));
    }
    for (const float x : q.vector) {
      if (!std::isfinite(x)) throw InvalidArgument(where + "query vector holds a non-finite value");
    }
  }
  const bool hybrid = p.text && p.dense;
  if (hybrid) {
    const FusionOptions& f = q.fusion;
    for (const double w : f.weights) {
      if (!std::isfinite(w) || w < 0) {
        throw InvalidArgument(where + "fusion weights must be finite and >= 0, got " + std::to_string(w));
      }
    }
    if (f.weights[kBm25] == 0 && f.weights[kDense] == 0) {
      throw InvalidArgument(where + "both fusion weights are 0; give at least one source a positive weight");
    }
    if (!(f.rrf_k > 0) || !std::isfinite(f.rrf_k)) {
      throw InvalidArgument(where + "rrf_k must be a positive number, got " + std::to_string(f.rrf_k));
    }
    if (f.method == fusion::Method::kConvex && f.normalizer == fusion::Normalizer::kTheoretical &&
        indexes.vectors->options().metric != vector::Metric::cosine) {
      throw InvalidArgument(where +
                            "the theoretical normalizer needs known score bounds, which only the cosine metric has; "
                            "use normalizer='minmax' or 'zscore'");
    }
    if (q.candidates != 0 && q.candidates < q.k) {
      throw InvalidArgument(where + "candidates (" + std::to_string(q.candidates) + ") must be at least k (" +
                            std::to_string(q.k) + ")");
    }
    p.depth = q.candidates != 0 ? q.candidates : std::max(q.k, kDefaultCandidates);
  } else {
    p.depth = q.k;
  }
  return p;
}

// One ranked list per source, best first, higher is better (l2 distances are negated).
struct Ranked {
  std::vector<std::uint32_t> ids;
  std::vector<float> scores;
};

void fill_single(const Ranked& list, Source source, std::size_t k, bool negated, std::vector<Hit>& out) {
  const std::size_t n = std::min(k, list.ids.size());
  out.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    Hit& h = out[r];
    h.internal_id = list.ids[r];
    const float s = negated ? -list.scores[r] : list.scores[r];
    h.score = s;
    h.sources[source] = SourceScore{s, static_cast<std::uint32_t>(r + 1)};
  }
}

void fill_fused(const Query& q, const Ranked& text, const Ranked& dense, bool negated, std::vector<Hit>& out) {
  std::array<fusion::Source, kNumSources> sources;
  sources[kBm25] =
      fusion::Source{text.ids, text.scores, q.fusion.weights[kBm25], 0.0, std::numeric_limits<double>::quiet_NaN()};
  sources[kDense] = fusion::Source{dense.ids, dense.scores, q.fusion.weights[kDense], -1.0, 1.0};
  const fusion::Fused fused =
      fusion::fuse(sources, fusion::Options{q.fusion.method, q.fusion.rrf_k, q.fusion.normalizer, q.k});
  out.resize(fused.ids.size());
  for (std::size_t r = 0; r < fused.ids.size(); ++r) {
    Hit& h = out[r];
    h.internal_id = fused.ids[r];
    h.score = fused.scores[r];
    for (std::size_t s = 0; s < kNumSources; ++s) {
      const std::uint32_t rank = fused.source_ranks[r * kNumSources + s];
      if (rank == 0) continue;
      float score = fused.source_scores[r * kNumSources + s];
      if (s == kDense && negated) score = -score;
      h.sources[s] = SourceScore{score, rank};
    }
  }
}

}  // namespace

std::vector<std::vector<Hit>> run_search(const Indexes& indexes, std::span<const Query> queries, int threads,
                                         const TextReader& read_texts) {
  const std::size_t nq = queries.size();
  std::vector<Plan> plans(nq);
  for (std::size_t i = 0; i < nq; ++i) plans[i] = check(indexes, queries[i], i, nq);

  // Each distinct filter is compiled once into an allow-set over internal ids.
  std::map<const filter::Filter*, Bitset> allow_sets;
  for (std::size_t i = 0; i < nq; ++i) {
    const filter::Filter* f = queries[i].filter.get();
    if (f == nullptr) continue;
    auto it = allow_sets.find(f);
    if (it == allow_sets.end()) {
      try {
        it = allow_sets.emplace(f, indexes.metadata.match(*f, indexes.ids.capacity())).first;
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(label(i, nq) + e.what());
      }
    }
    plans[i].allow = &it->second;
  }

  // Queries that share an allow-set (and HNSW beam) are searched together: BM25 over threads,
  // vectors as one batch (the exact scan serves many queries per pass over the rows).
  std::vector<Ranked> text_lists(nq), dense_lists(nq);
  const bool negated = indexes.vectors && indexes.vectors->options().metric == vector::Metric::l2;
  std::map<std::pair<const Bitset*, std::size_t>, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < nq; ++i) groups[{plans[i].allow, queries[i].ef}].push_back(i);
  for (const auto& [key, members] : groups) {
    std::vector<std::size_t> with_text, with_vector;
    std::size_t text_depth = 0, dense_depth = 0;
    for (const std::size_t i : members) {
      if (plans[i].text) {
        with_text.push_back(i);
        text_depth = std::max(text_depth, plans[i].depth);
      }
      if (plans[i].dense) {
        with_vector.push_back(i);
        dense_depth = std::max(dense_depth, plans[i].depth);
      }
    }
    if (!with_text.empty()) {
      std::vector<std::string_view> texts;
      for (const std::size_t i : with_text) texts.push_back(*queries[i].text);
      const auto found = indexes.bm25.search_batch(texts, text_depth, key.first, threads);
      for (std::size_t j = 0; j < with_text.size(); ++j) {
        Ranked& list = text_lists[with_text[j]];
        const std::size_t n = std::min(found[j].size(), plans[with_text[j]].depth);
        for (std::size_t r = 0; r < n; ++r) {
          list.ids.push_back(found[j][r].id);
          list.scores.push_back(found[j][r].score);
        }
      }
    }
    if (!with_vector.empty()) {
      const std::size_t dim = indexes.dim();
      std::vector<float> matrix(with_vector.size() * dim);
      for (std::size_t j = 0; j < with_vector.size(); ++j) {
        std::copy(queries[with_vector[j]].vector.begin(), queries[with_vector[j]].vector.end(),
                  matrix.begin() + static_cast<std::ptrdiff_t>(j * dim));
      }
      vector::SearchParams params;
      params.ef = key.second;
      params.threads = threads;
      const vector::SearchResults found =
          indexes.vectors->search(matrix.data(), with_vector.size(), dense_depth, key.first, params);
      for (std::size_t j = 0; j < with_vector.size(); ++j) {
        Ranked& list = dense_lists[with_vector[j]];
        const std::size_t depth = plans[with_vector[j]].depth;
        for (std::size_t r = 0; r < depth; ++r) {
          const std::uint32_t id = found.ids[j * found.k + r];
          if (id == vector::SearchResults::kNoId) break;
          const float s = found.scores[j * found.k + r];
          list.ids.push_back(id);
          list.scores.push_back(negated ? -s : s);
        }
      }
    }
  }

  // Fusion and the hits' fields, in parallel over queries.
  std::vector<std::vector<Hit>> out(nq);
  std::exception_ptr error;
  const auto count = static_cast<std::int64_t>(nq);
  const int n_threads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 4) num_threads(n_threads) if (count > 16)
  for (std::int64_t qi = 0; qi < count; ++qi) {
    const auto i = static_cast<std::size_t>(qi);
    try {
      const Query& q = queries[i];
      if (plans[i].text && plans[i].dense) {
        fill_fused(q, text_lists[i], dense_lists[i], negated, out[i]);
      } else if (plans[i].text) {
        fill_single(text_lists[i], kBm25, q.k, false, out[i]);
      } else {
        fill_single(dense_lists[i], kDense, q.k, negated, out[i]);
      }
      for (Hit& h : out[i]) {
        h.id = indexes.ids.key(h.internal_id);
        if (q.fields & kMetadata) h.metadata = indexes.metadata.get(h.internal_id);
        if ((q.fields & kText) && indexes.keep_texts) h.text = indexes.texts[h.internal_id];
      }
    } catch (...) {
#pragma omp critical(ragkernel_collection_search_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);

  if (!indexes.keep_texts && read_texts) {
    std::vector<Hit*> need;
    for (std::size_t i = 0; i < nq; ++i) {
      if (!(queries[i].fields & kText)) continue;
      for (Hit& h : out[i]) need.push_back(&h);
    }
    if (!need.empty()) read_texts(need);
  }
  return out;
}

}  // namespace ragkernel::collection::detail

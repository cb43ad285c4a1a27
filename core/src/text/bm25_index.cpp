#include "ragkernel/text/bm25_index.hpp"

#include <omp.h>

#include <algorithm>
#include <mutex>

#include "ragkernel/error.hpp"
#include "utf8.hpp"

namespace ragkernel::text {

Bm25Index::Bm25Index(AnalyzerConfig analyzer, Bm25Params params) : analyzer_(std::move(analyzer)), params_(params) {
  params_.validate();
  index_.cache_impacts_for(params_);
}

Bm25Params Bm25Index::params() const {
  std::shared_lock lock(mutex_);
  return params_;
}

void Bm25Index::set_params(const Bm25Params& params) {
  params.validate();
  std::unique_lock lock(mutex_);
  params_ = params;
  index_.cache_impacts_for(params_);
}

void Bm25Index::add(std::span<const std::uint32_t> ids, std::span<const std::string_view> texts, int threads) {
  if (ids.size() != texts.size()) {
    throw InvalidArgument("add got " + std::to_string(ids.size()) + " ids but " + std::to_string(texts.size()) +
                          " texts");
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].empty()) throw InvalidArgument("text " + std::to_string(i) + " is empty; expected some text");
    detail::require_utf8(texts[i], "text " + std::to_string(i));
  }
  std::unique_lock lock(mutex_);
  // Check ids against the index before any chunk goes in (add_terms re-checks per chunk).
  {
    std::vector<std::uint32_t> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
      throw InvalidArgument("id " + std::to_string(*dup) + " appears twice in one add");
    }
    for (std::uint32_t id : ids) {
      if (index_.contains(id))
        throw InvalidArgument("id " + std::to_string(id) + " is already indexed; remove it first");
    }
  }
  // Analysis in chunks bounds the memory held by term strings.
  constexpr std::size_t kChunk = 1 << 15;
  for (std::size_t start = 0; start < texts.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, texts.size() - start);
    const auto terms = analyzer_.analyze_batch(texts.subspan(start, n), threads);
    index_.add(ids.subspan(start, n), terms);
  }
}

void Bm25Index::add_terms(std::span<const std::uint32_t> ids, std::span<const std::vector<std::string>> terms) {
  std::unique_lock lock(mutex_);
  index_.add(ids, terms);
}

void Bm25Index::remove(std::span<const std::uint32_t> ids) {
  std::unique_lock lock(mutex_);
  index_.remove(ids);
}

namespace {
void require_query(std::string_view query, const std::string& what) {
  if (query.empty()) throw InvalidArgument(what + " is empty; expected some text");
}
}  // namespace

std::vector<ScoredId> Bm25Index::search(std::string_view query, std::size_t k, const Bitset* allow,
                                        SearchMode mode) const {
  require_query(query, "query");
  const std::vector<std::string> terms = analyzer_.analyze(query);
  return search_terms(terms, k, allow, mode);
}

std::vector<ScoredId> Bm25Index::search_terms(std::span<const std::string> query, std::size_t k, const Bitset* allow,
                                              SearchMode mode) const {
  std::shared_lock lock(mutex_);
  return index_.search(query, k, params_, allow, mode);
}

namespace {

template <class Fn>
void parallel_queries(std::size_t n, int threads, Fn&& fn) {
  std::exception_ptr error;
  std::once_flag once;
  const int n_threads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 4) num_threads(n_threads) if (n > 1)
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
    try {
      fn(static_cast<std::size_t>(i));
    } catch (...) {
      std::call_once(once, [&] { error = std::current_exception(); });
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

std::vector<std::vector<ScoredId>> Bm25Index::search_batch(std::span<const std::string_view> queries, std::size_t k,
                                                           const Bitset* allow, int threads, SearchMode mode) const {
  for (std::size_t i = 0; i < queries.size(); ++i) {
    require_query(queries[i], "query " + std::to_string(i));
    detail::require_utf8(queries[i], "query " + std::to_string(i));
  }
  std::shared_lock lock(mutex_);
  std::vector<std::vector<ScoredId>> out(queries.size());
  parallel_queries(queries.size(), threads, [&](std::size_t i) {
    out[i] = index_.search(analyzer_.analyze(queries[i]), k, params_, allow, mode);
  });
  return out;
}

std::vector<std::vector<ScoredId>> Bm25Index::search_terms_batch(std::span<const std::vector<std::string>> queries,
                                                                 std::size_t k, const Bitset* allow, int threads,
                                                                 SearchMode mode) const {
  std::shared_lock lock(mutex_);
  std::vector<std::vector<ScoredId>> out(queries.size());
  parallel_queries(queries.size(), threads,
                   [&](std::size_t i) { out[i] = index_.search(queries[i], k, params_, allow, mode); });
  return out;
}

Explanation Bm25Index::explain(std::string_view query, std::uint32_t id) const {
  require_query(query, "query");
  const std::vector<std::string> terms = analyzer_.analyze(query);
  std::shared_lock lock(mutex_);
  return index_.explain(terms, id, params_);
}

std::string Bm25Index::index_bytes() const {
  std::shared_lock lock(mutex_);
  return index_.to_bytes();
}

void Bm25Index::restore_index(InvertedIndex index) {
  std::unique_lock lock(mutex_);
  index_ = std::move(index);
  index_.cache_impacts_for(params_);
}

std::size_t Bm25Index::size() const {
  std::shared_lock lock(mutex_);
  return index_.num_docs();
}

bool Bm25Index::contains(std::uint32_t id) const {
  std::shared_lock lock(mutex_);
  return index_.contains(id);
}

}  // namespace ragkernel::text

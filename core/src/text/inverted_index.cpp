#include "ragkernel/text/inverted_index.hpp"

#include <algorithm>
#include <numeric>

#include "inverted_index_impl.hpp"
#include "ragkernel/error.hpp"
#include "top_k.hpp"

namespace ragkernel::text {

namespace {

void check_new_ids(std::span<const std::uint32_t> ids, const Bitset& present) {
  std::vector<std::uint32_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    throw InvalidArgument("id " + std::to_string(*dup) + " appears twice in one add");
  }
  if (!sorted.empty() && sorted.back() == 0xFFFFFFFFu) throw InvalidArgument("id 4294967295 is reserved");
  for (std::uint32_t id : ids) {
    if (present.test(id)) throw InvalidArgument("id " + std::to_string(id) + " is already indexed; remove it first");
  }
}

std::int64_t base_score(std::span<const QueryTerm> terms) {
  std::int64_t base = 0;
  for (const QueryTerm& q : terms) base += detail::to_fixed(q.floor());
  return base;
}

}  // namespace

InvertedIndex::InvertedIndex() : impl_(std::make_unique<Impl>()) {}
InvertedIndex::~InvertedIndex() = default;
InvertedIndex::InvertedIndex(InvertedIndex&&) noexcept = default;
InvertedIndex& InvertedIndex::operator=(InvertedIndex&&) noexcept = default;

void InvertedIndex::add(std::span<const std::uint32_t> ids, std::span<const std::vector<std::string>> terms) {
  if (ids.size() != terms.size()) {
    throw InvalidArgument("add got " + std::to_string(ids.size()) + " ids but " + std::to_string(terms.size()) +
                          " documents");
  }
  Impl& m = *impl_;
  check_new_ids(ids, m.present);
  if (ids.empty()) return;
  m.bump_epoch();
  // Nothing below throws on valid input (short of running out of memory).

  // Documents in id order, so each term's new postings come out sorted.
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });

  const std::uint32_t max_id = ids[order.back()];
  if (max_id >= m.doc_len.size()) {
    m.doc_len.resize(std::size_t{max_id} + 1, 0);
    m.forward.reserve_ids(std::size_t{max_id} + 1);
    m.present.resize(std::size_t{max_id} + 1);
  }

  constexpr std::size_t kChunk = 1 << 16;  // documents per posting merge: bounds scratch memory
  std::vector<std::uint32_t> doc_term_ids, distinct;
  std::vector<std::uint32_t> counts;  // postings per term in this chunk
  std::vector<std::uint32_t> touched_terms;
  std::vector<detail::Posting> by_term;
  std::vector<std::uint32_t> starts;
  struct Entry {
    std::uint32_t term, doc, tf;
  };
  std::vector<Entry> entries;
  for (std::size_t c0 = 0; c0 < order.size(); c0 += kChunk) {
    const std::size_t c1 = std::min(order.size(), c0 + kChunk);
    entries.clear();
    for (std::size_t o = c0; o < c1; ++o) {
      const std::uint32_t doc = ids[order[o]];
      const std::vector<std::string>& doc_terms = terms[order[o]];
      doc_term_ids.clear();
      for (const std::string& t : doc_terms) doc_term_ids.push_back(m.intern(t));
      std::sort(doc_term_ids.begin(), doc_term_ids.end());
      distinct.clear();
      for (std::size_t i = 0; i < doc_term_ids.size();) {
        std::size_t j = i;
        while (j < doc_term_ids.size() && doc_term_ids[j] == doc_term_ids[i]) ++j;
        entries.push_back({doc_term_ids[i], doc, static_cast<std::uint32_t>(j - i)});
        distinct.push_back(doc_term_ids[i]);
        i = j;
      }
      m.forward.put(doc, distinct);
      m.doc_len[doc] = static_cast<std::uint32_t>(doc_terms.size());
      m.present.set(doc);
      m.total_len += doc_terms.size();
      ++m.n_docs;
    }
    // Group the chunk's postings by term (counting sort keeps doc order within a term).
    if (counts.size() < m.postings.size()) counts.resize(m.postings.size(), 0);
    touched_terms.clear();
    for (const Entry& e : entries) {
      if (counts[e.term]++ == 0) touched_terms.push_back(e.term);
    }
    std::sort(touched_terms.begin(), touched_terms.end());
    starts.assign(touched_terms.size() + 1, 0);
    for (std::size_t i = 0; i < touched_terms.size(); ++i) {
      starts[i + 1] = starts[i] + counts[touched_terms[i]];
      counts[touched_terms[i]] = starts[i];  // reuse as the write cursor
    }
    by_term.resize(entries.size());
    for (const Entry& e : entries) by_term[counts[e.term]++] = {e.doc, e.tf};
    for (std::size_t i = 0; i < touched_terms.size(); ++i) {
      PostingList& list = m.postings[touched_terms[i]];
      if (list.empty()) ++m.live_terms;
      m.posting_bytes -= list.memory_bytes();
      list.insert(std::span(by_term).subspan(starts[i], starts[i + 1] - starts[i]));
      m.posting_bytes += list.memory_bytes();
      counts[touched_terms[i]] = 0;
    }
  }
}

void InvertedIndex::remove(std::span<const std::uint32_t> ids) {
  Impl& m = *impl_;
  std::vector<std::uint32_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    throw InvalidArgument("id " + std::to_string(*dup) + " appears twice in one remove");
  }
  for (std::uint32_t id : ids) {
    if (!m.present.test(id)) throw NotFound("id " + std::to_string(id) + " is not in the index");
  }
  m.bump_epoch();
  // (term, doc) pairs grouped by term; docs ascending within a term since `sorted` is.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::uint32_t doc : sorted) {
    m.forward.for_each(doc, [&](std::uint32_t term) { pairs.emplace_back(term, doc); });
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::uint32_t> docs;
  for (std::size_t i = 0; i < pairs.size();) {
    std::size_t j = i;
    docs.clear();
    while (j < pairs.size() && pairs[j].first == pairs[i].first) docs.push_back(pairs[j++].second);
    PostingList& list = m.postings[pairs[i].first];
    m.posting_bytes -= list.memory_bytes();
    list.erase(docs);
    m.posting_bytes += list.memory_bytes();
    if (list.empty()) --m.live_terms;
    i = j;
  }
  for (std::uint32_t doc : sorted) {
    m.total_len -= m.doc_len[doc];
    m.doc_len[doc] = 0;
    m.forward.erase(doc);
    m.present.reset(doc);
    --m.n_docs;
  }
}

void InvertedIndex::cache_impacts_for(const Bm25Params& params) {
  params.validate();
  if (impl_->cached_params != params) {
    impl_->cached_params = params;
    impl_->bump_epoch();
  }
}

bool InvertedIndex::contains(std::uint32_t id) const noexcept { return impl_->present.test(id); }
std::size_t InvertedIndex::num_docs() const noexcept { return impl_->n_docs; }
std::uint64_t InvertedIndex::total_length() const noexcept { return impl_->total_len; }
double InvertedIndex::avg_doc_length() const noexcept {
  return impl_->n_docs == 0 ? 0.0 : static_cast<double>(impl_->total_len) / static_cast<double>(impl_->n_docs);
}
std::uint32_t InvertedIndex::doc_length(std::uint32_t id) const {
  if (!contains(id)) throw NotFound("id " + std::to_string(id) + " is not in the index");
  return impl_->doc_len[id];
}
std::uint32_t InvertedIndex::doc_frequency(std::string_view term) const noexcept {
  const auto id = impl_->lookup(term);
  return id ? impl_->postings[*id].size() : 0;
}
std::size_t InvertedIndex::vocabulary_size() const noexcept { return impl_->live_terms; }
std::uint32_t InvertedIndex::id_bound() const noexcept { return static_cast<std::uint32_t>(impl_->doc_len.size()); }

std::vector<std::uint32_t> InvertedIndex::ids() const {
  std::vector<std::uint32_t> out;
  out.reserve(impl_->n_docs);
  impl_->present.for_each([&](std::size_t i) { out.push_back(static_cast<std::uint32_t>(i)); });
  return out;
}

std::size_t InvertedIndex::memory_bytes() const noexcept {
  const Impl& m = *impl_;
  return m.dict.memory_bytes() + m.postings.capacity() * sizeof(PostingList) + m.posting_bytes +
         m.slots.capacity() * sizeof(ImpactSlot) + m.cache_bytes.load(std::memory_order_relaxed) +
         m.forward.memory_bytes() + m.doc_len.capacity() * sizeof(std::uint32_t) +
         m.present.words().capacity() * sizeof(std::uint64_t);
}

std::vector<ScoredId> InvertedIndex::search(std::span<const std::string> query, std::size_t k, const Bm25Params& params,
                                            const Bitset* allow, SearchMode mode) const {
  params.validate();
  Impl& m = *impl_;  // only the impact caches change, under their own locks
  if (k == 0 || m.n_docs == 0) return {};
  const Scorer scorer(params, avg_doc_length());
  const PreparedQuery prepared = m.prepare(query, params, scorer);
  const std::vector<QueryTerm>& terms = prepared.terms;
  if (terms.empty()) return {};
  detail::SearchInput in{terms, m.postings, m.doc_len, base_score(terms), allow, k};
  if (mode == SearchMode::kAuto) {
    // Pruning pays when k is small against the corpus; on small corpora or deep k, scoring
    // every posting in one tight loop is faster than walking cursors.
    const std::size_t n = m.doc_len.size();
    mode = n >= 16384 && k * 64 <= n ? SearchMode::kPruned : SearchMode::kExhaustive;
  }
  return mode == SearchMode::kExhaustive ? detail::search_exhaustive(in) : detail::search_pruned(in);
}

Explanation InvertedIndex::explain(std::span<const std::string> query, std::uint32_t id,
                                   const Bm25Params& params) const {
  params.validate();
  Impl& m = *impl_;  // only the impact caches change, under their own locks
  if (!contains(id)) throw NotFound("id " + std::to_string(id) + " is not in the index");
  const Scorer scorer(params, avg_doc_length());
  const PreparedQuery prepared = m.prepare(query, params, scorer);
  const std::vector<QueryTerm>& terms = prepared.terms;
  Explanation e{id, 0.0f, m.doc_len[id], avg_doc_length(), m.n_docs, {}};
  std::int64_t sum = base_score(terms);
  for (const QueryTerm& q : terms) {
    const std::uint32_t tf = m.postings[q.term].find(id);
    const float c = tf > 0 ? q.contribution(q.stats.impact(scorer, tf, m.doc_len[id])) : 0.0f;
    if (tf > 0) sum += detail::to_fixed(c);
    e.terms.push_back({std::string(m.dict.term(q.term)), static_cast<std::uint32_t>(q.weight), tf,
                       m.postings[q.term].size(), q.stats.idf, c + q.floor()});
  }
  e.score = detail::from_fixed(sum);
  return e;
}

}  // namespace ragkernel::text

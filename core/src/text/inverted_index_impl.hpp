#pragma once
// The state of an InvertedIndex, shared by its updates and searches (inverted_index.cpp) and
// its serialization (inverted_index_io.cpp).
#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "forward_index.hpp"
#include "posting_list.hpp"
#include "ragkernel/bitset.hpp"
#include "ragkernel/text/inverted_index.hpp"
#include "scorer.hpp"
#include "slack.hpp"
#include "term_dictionary.hpp"

namespace ragkernel::text {

namespace detail {

// Impacts of one term's postings under the cached parameters, then one maximum per block;
// valid while `epoch` equals the index's epoch (bumped by every add, remove and change of the
// cached parameters). Allocated only for terms that queries use; terms with a single posting
// compute theirs per query.
struct ImpactSlot {
  std::atomic<std::uint32_t> epoch{0};
  std::uint32_t capacity = 0;  // floats in `data`
  std::unique_ptr<float[]> data;
  ImpactSlot() = default;
  ImpactSlot(ImpactSlot&& o) noexcept
      : epoch(o.epoch.load(std::memory_order_relaxed)), capacity(o.capacity), data(std::move(o.data)) {}
};

// impacts[0..size) per posting, block_max[0..blocks) per block.
inline void compute_impacts(const PostingList& list, const TermStats& stats, const Scorer& scorer,
                            const std::vector<std::uint32_t>& doc_len, float* impacts, float* block_max) {
  std::array<std::uint32_t, PostingList::kBlock> docs{}, tfs{};
  std::size_t o = 0;
  const auto blocks = list.blocks();
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    list.decode(b, docs.data(), tfs.data());
    float best = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < blocks[b].count; ++i, ++o) {
      impacts[o] = stats.impact(scorer, tfs[i], doc_len[docs[i]]);
      best = std::max(best, impacts[o]);
    }
    block_max[b] = best;
  }
}

}  // namespace detail

using detail::ImpactSlot;
using detail::PostingList;
using detail::QueryTerm;
using detail::Scorer;
using detail::TermStats;

// A query's terms with their impacts: from the shared cache, or computed for this query when
// it uses other parameters than the cached ones (and for terms with a single posting).
struct PreparedQuery {
  std::vector<QueryTerm> terms;
  std::vector<std::vector<float>> local;
};

struct InvertedIndex::Impl {
  detail::TermDictionary dict;
  std::vector<PostingList> postings;   // by term id
  std::vector<ImpactSlot> slots;       // by term id
  std::vector<std::uint32_t> doc_len;  // by doc id; 0 when absent
  detail::ForwardIndex forward;        // by doc id: its distinct term ids
  Bitset present;
  std::size_t n_docs = 0;
  std::uint64_t total_len = 0;
  std::size_t live_terms = 0;
  std::size_t posting_bytes = 0;                    // heap bytes of the posting lists
  mutable std::atomic<std::size_t> cache_bytes{0};  // heap bytes of the impact slots
  std::uint32_t epoch = 1;
  std::optional<Bm25Params> cached_params;
  mutable std::array<std::mutex, 64> fill_locks;  // striped by term id

  void bump_epoch() {
    if (++epoch == 0) {  // wrapped: no slot may look valid
      for (ImpactSlot& s : slots) s.epoch.store(0, std::memory_order_relaxed);
      epoch = 1;
    }
  }

  std::uint32_t intern(std::string_view t) {
    const std::uint32_t id = dict.intern(t);
    if (id == postings.size()) {
      detail::reserve_for(postings, 1);
      detail::reserve_for(slots, 1);
      postings.emplace_back();
      slots.emplace_back();
    }
    return id;
  }

  std::optional<std::uint32_t> lookup(std::string_view t) const {
    const std::uint32_t id = dict.find(t);
    if (id == detail::TermDictionary::kNone) return std::nullopt;
    return id;
  }

  // The cached impacts of a term, filled on first use in this epoch.
  const float* cached_impacts(std::uint32_t term, const TermStats& stats, const Scorer& scorer) {
    ImpactSlot& s = slots[term];
    if (s.epoch.load(std::memory_order_acquire) != epoch) {
      std::lock_guard lock(fill_locks[term % fill_locks.size()]);
      if (s.epoch.load(std::memory_order_relaxed) != epoch) {
        const PostingList& list = postings[term];
        const std::size_t need = list.size() + list.blocks().size();
        if (s.capacity < need || s.capacity > 2 * need + 16) {
          cache_bytes.fetch_sub(s.capacity * sizeof(float), std::memory_order_relaxed);
          s.data.reset(new float[need]);
          s.capacity = static_cast<std::uint32_t>(need);
          cache_bytes.fetch_add(need * sizeof(float), std::memory_order_relaxed);
        }
        compute_impacts(list, stats, scorer, doc_len, s.data.get(), s.data.get() + list.size());
        s.epoch.store(epoch, std::memory_order_release);
      }
    }
    return s.data.get();
  }

  // The query's distinct known terms in first-occurrence order, with their weights, statistics
  // and impacts.
  template <class Term>
  PreparedQuery prepare(std::span<const Term> query, const Bm25Params& params, const Scorer& scorer) {
    PreparedQuery out;
    for (const Term& t : query) {
      const auto id = lookup(t);
      if (!id || postings[*id].empty()) continue;
      auto same = std::find_if(out.terms.begin(), out.terms.end(), [&](const QueryTerm& q) { return q.term == *id; });
      if (same != out.terms.end()) {
        same->weight += 1.0f;
        continue;
      }
      const double idf =
          detail::bm25_idf(params.variant, static_cast<double>(n_docs), static_cast<double>(postings[*id].size()));
      out.terms.push_back({*id, 1.0f, TermStats(scorer, static_cast<float>(idf))});
    }
    const bool use_cache = cached_params && *cached_params == params;
    out.local.resize(out.terms.size());
    for (std::size_t i = 0; i < out.terms.size(); ++i) {
      QueryTerm& q = out.terms[i];
      const PostingList& list = postings[q.term];
      const float* impacts = nullptr;
      if (use_cache && list.size() > 1) {
        impacts = cached_impacts(q.term, q.stats, scorer);
      } else {
        std::vector<float>& own = out.local[i];
        own.resize(list.size() + list.blocks().size());
        compute_impacts(list, q.stats, scorer, doc_len, own.data(), own.data() + list.size());
        impacts = own.data();
      }
      q.impacts = impacts;
      q.block_max = impacts + list.size();
    }
    return out;
  }
};

}  // namespace ragkernel::text

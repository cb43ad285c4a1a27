#include <algorithm>
#include <array>

#include "top_k.hpp"

namespace ragkernel::text::detail {
namespace {

// A bounded heap of the best k hits; front() is the worst kept hit.
class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k + 1); }
  bool full() const noexcept { return heap_.size() == k_; }
  float threshold() const noexcept { return heap_.front().score; }  // only when full
  void push(ScoredId hit) {
    if (!full()) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), better);
    } else if (better(hit, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = hit;
      std::push_heap(heap_.begin(), heap_.end(), better);
    }
  }
  std::vector<ScoredId> sorted() && {
    std::sort(heap_.begin(), heap_.end(), better);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<ScoredId> heap_;
};

struct Scratch {
  std::vector<float> acc;
  std::vector<std::uint8_t> seen;
  std::vector<std::uint32_t> touched;
};

}  // namespace

std::vector<ScoredId> search_exhaustive(const SearchInput& in) {
  thread_local Scratch s;
  const std::size_t n = in.doc_len.size();
  if (s.acc.size() < n) {
    s.acc.resize(n, 0.0f);
    s.seen.resize(n, 0);
  }
  s.touched.clear();
  std::array<std::uint32_t, PostingList::kBlock> docs{}, tfs{};
  for (const QueryTerm& q : in.terms) {
    const PostingList& list = in.postings[q.term];
    for (std::size_t b = 0; b < list.blocks().size(); ++b) {
      list.decode(b, docs.data(), tfs.data());
      for (std::size_t i = 0; i < list.blocks()[b].count; ++i) {
        const std::uint32_t d = docs[i];
        if (in.allow != nullptr && !in.allow->test(d)) continue;
        if (!s.seen[d]) {
          s.seen[d] = 1;
          s.touched.push_back(d);
        }
        s.acc[d] += q.contribution(in.scorer, tfs[i], in.doc_len[d]);
      }
    }
  }
  TopK top(in.k);
  for (std::uint32_t d : s.touched) {
    top.push({d, s.acc[d] + in.base});
    s.acc[d] = 0.0f;
    s.seen[d] = 0;
  }
  return std::move(top).sorted();
}

namespace {

constexpr std::uint32_t kWindow = 1u << 12;
// Upper bounds are inflated so float rounding can never make a bound smaller than a score.
constexpr float kBoundSlack = 1.0f + 1e-5f;

struct Cursor {
  const QueryTerm* term;
  const PostingList* list;
  std::vector<float> block_bound;  // per block: the contribution at (max tf, shortest doc)
  std::size_t block = 0;           // first block that may overlap the current window
  float window_bound = 0.0f;
  bool decoded = false;            // tf[] holds this window's postings
  std::vector<std::uint32_t> tf;   // by doc - window start; 0 when absent
  std::vector<std::uint32_t> set;  // offsets written in tf[], to reset
};

void decode_window(Cursor& c, std::uint32_t lo, std::uint32_t hi) {
  std::array<std::uint32_t, PostingList::kBlock> docs{}, tfs{};
  const auto& blocks = c.list->blocks();
  for (std::size_t b = c.block; b < blocks.size() && blocks[b].first_doc < hi; ++b) {
    c.list->decode(b, docs.data(), tfs.data());
    for (std::size_t i = 0; i < blocks[b].count; ++i) {
      if (docs[i] < lo || docs[i] >= hi) continue;
      const std::uint32_t off = docs[i] - lo;
      c.tf[off] = tfs[i];
      c.set.push_back(off);
    }
  }
  c.decoded = true;
}

bool any_allowed(const Bitset& allow, std::uint32_t lo, std::uint32_t hi) {
  const auto& words = allow.words();
  for (std::size_t w = lo / 64; w < words.size() && w * 64 < hi; ++w) {
    if (words[w] != 0) return true;
  }
  return false;
}

}  // namespace

std::vector<ScoredId> search_pruned(const SearchInput& in) {
  const std::size_t nt = in.terms.size();
  std::vector<Cursor> cursors(nt);
  for (std::size_t i = 0; i < nt; ++i) {
    Cursor& c = cursors[i];
    c.term = &in.terms[i];
    c.list = &in.postings[c.term->term];
    c.block_bound.reserve(c.list->blocks().size());
    for (const BlockMeta& m : c.list->blocks()) {
      const float bound = c.term->contribution(in.scorer, m.max_tf, m.min_len);
      c.block_bound.push_back(std::max(bound, 0.0f) * kBoundSlack + 1e-30f);
    }
    c.tf.assign(kWindow, 0);
  }
  std::vector<std::size_t> by_bound(nt);
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint8_t> is_candidate(kWindow, 0);
  TopK top(in.k);
  const auto id_bound = static_cast<std::uint32_t>(in.doc_len.size());

  for (std::uint64_t lo64 = 0; lo64 < id_bound; lo64 += kWindow) {
    const auto lo = static_cast<std::uint32_t>(lo64);
    const auto hi = static_cast<std::uint32_t>(std::min<std::uint64_t>(lo64 + kWindow, id_bound));
    float window_sum = in.base;
    for (Cursor& c : cursors) {
      const auto& blocks = c.list->blocks();
      while (c.block < blocks.size() && blocks[c.block].last_doc < lo) ++c.block;
      c.window_bound = 0.0f;
      for (std::size_t b = c.block; b < blocks.size() && blocks[b].first_doc < hi; ++b) {
        c.window_bound = std::max(c.window_bound, c.block_bound[b]);
      }
      window_sum += c.window_bound;
    }
    const bool full = top.full();
    const float theta = full ? top.threshold() : 0.0f;
    // Every later id loses a tie to the kept hits, so a window whose bound does not exceed
    // the threshold cannot contribute.
    if (full && window_sum * kBoundSlack <= theta) continue;
    if (in.allow != nullptr && !any_allowed(*in.allow, lo, hi)) continue;

    // MaxScore split: the weakest terms whose bounds (plus the floor) stay below the
    // threshold cannot make a hit on their own; only documents of the others are candidates.
    for (std::size_t i = 0; i < nt; ++i) by_bound[i] = i;
    std::sort(by_bound.begin(), by_bound.end(),
              [&](std::size_t a, std::size_t b) { return cursors[a].window_bound < cursors[b].window_bound; });
    std::size_t n_weak = 0;
    float weak_sum = in.base;
    if (full) {
      while (n_weak < nt && (weak_sum + cursors[by_bound[n_weak]].window_bound) * kBoundSlack < theta) {
        weak_sum += cursors[by_bound[n_weak]].window_bound;
        ++n_weak;
      }
    }
    candidates.clear();
    for (std::size_t j = n_weak; j < nt; ++j) {
      Cursor& c = cursors[by_bound[j]];
      decode_window(c, lo, hi);
      for (std::uint32_t off : c.set) {
        if (!is_candidate[off]) {
          is_candidate[off] = 1;
          candidates.push_back(off);
        }
      }
    }
    for (std::uint32_t off : candidates) {
      is_candidate[off] = 0;
      const std::uint32_t doc = lo + off;
      if (in.allow != nullptr && !in.allow->test(doc)) continue;
      const std::uint32_t len = in.doc_len[doc];
      if (top.full()) {
        float bound = weak_sum;
        for (std::size_t j = n_weak; j < nt; ++j) {
          const Cursor& c = cursors[by_bound[j]];
          if (c.tf[off] != 0) bound += c.term->contribution(in.scorer, c.tf[off], len);
        }
        if (bound * kBoundSlack + 1e-30f < top.threshold()) continue;
        for (std::size_t j = 0; j < n_weak; ++j) {
          Cursor& c = cursors[by_bound[j]];
          if (!c.decoded) decode_window(c, lo, hi);
        }
      } else {
        for (Cursor& c : cursors) {
          if (!c.decoded) decode_window(c, lo, hi);
        }
      }
      // The exact score, summed in query-term order as the exhaustive path does.
      float score = 0.0f;
      for (const Cursor& c : cursors) {
        if (c.tf[off] != 0) score += c.term->contribution(in.scorer, c.tf[off], len);
      }
      top.push({doc, score + in.base});
    }
    for (Cursor& c : cursors) {
      for (std::uint32_t off : c.set) c.tf[off] = 0;
      c.set.clear();
      c.decoded = false;
    }
  }
  return std::move(top).sorted();
}

}  // namespace ragkernel::text::detail

#include <algorithm>
#include <array>
#include <cmath>

#include "top_k.hpp"

namespace ragkernel::text::detail {
namespace {

struct FixedHit {
  std::int64_t score;
  std::uint32_t id;
};
inline bool better_fixed(const FixedHit& a, const FixedHit& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// A bounded heap of the best k hits; front() is the worst kept hit.
class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k + 1); }
  bool full() const noexcept { return heap_.size() == k_; }
  std::int64_t threshold() const noexcept { return heap_.front().score; }  // only when full
  void push(FixedHit hit) {
    if (!full()) {
      heap_.push_back(hit);
      std::push_heap(heap_.begin(), heap_.end(), better_fixed);
    } else if (better_fixed(hit, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better_fixed);
      heap_.back() = hit;
      std::push_heap(heap_.begin(), heap_.end(), better_fixed);
    }
  }
  std::vector<ScoredId> sorted() && {
    std::sort(heap_.begin(), heap_.end(), better_fixed);
    std::vector<ScoredId> out(heap_.size());
    for (std::size_t i = 0; i < heap_.size(); ++i) out[i] = {heap_[i].id, from_fixed(heap_[i].score)};
    return out;
  }

 private:
  std::size_t k_;
  std::vector<FixedHit> heap_;
};

using Block = std::array<std::uint32_t, PostingList::kBlock>;

}  // namespace

// Per-thread scratch, fetched once per query: thread_local lookups in an inner loop cost a
// call each (the module is a shared library).
struct Scratch {
  std::vector<std::int64_t> acc;
  std::vector<std::uint8_t> state;
  std::vector<std::uint32_t> touched;
  void reserve(std::size_t n) {
    if (acc.size() < n) {
      acc.resize(n, 0);
      state.resize(n, 0);
      touched.resize(n + 1);  // one spare: the branch-free append writes before it counts
    }
  }
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

std::vector<ScoredId> search_exhaustive(const SearchInput& in) {
  Scratch& s = scratch();
  s.reserve(in.doc_len.size());
  std::int64_t* const acc = s.acc.data();
  std::uint8_t* const seen = s.state.data();
  std::uint32_t* const touched = s.touched.data();
  std::size_t n_touched = 0;
  Block docs{};
  for (const QueryTerm& q : in.terms) {
    const PostingList& list = in.postings[q.term];
    for (std::size_t b = 0; b < list.blocks().size(); ++b) {
      list.decode_docs(b, docs.data());
      const float* impacts = q.impacts + PostingList::first_posting(b);
      const std::size_t count = list.blocks()[b].count;
      for (std::size_t i = 0; i < count; ++i) {
        const std::uint32_t d = docs[i];
        if (in.allow != nullptr && !in.allow->test(d)) continue;
        touched[n_touched] = d;
        n_touched += seen[d] ^ 1u;
        seen[d] = 1;
        acc[d] += to_fixed(q.contribution(impacts[i]));
      }
    }
  }
  TopK top(in.k);
  for (std::size_t i = 0; i < n_touched; ++i) {
    const std::uint32_t d = touched[i];
    top.push({acc[d] + in.base, d});
    acc[d] = 0;
    seen[d] = 0;
  }
  return std::move(top).sorted();
}

namespace {

// Windows of ids small enough that the threshold rises early, large enough that per-window
// bookkeeping stays negligible.
constexpr std::uint32_t kWindow = 1u << 11;

struct Cursor {
  const QueryTerm* term;
  const PostingList* list;
  std::size_t block = 0;  // first block that may overlap the current window
  std::int64_t window_bound = 0;
};

// The term's largest fixed-point contribution in block b (to_fixed and the weight product are
// monotone, so this bounds every posting of the block exactly).
std::int64_t block_bound(const Cursor& c, std::size_t b) {
  return to_fixed(c.term->contribution(c.term->block_max[b])) + 1;
}

bool any_allowed(const Bitset& allow, std::uint32_t lo, std::uint32_t hi) {
  const auto& words = allow.words();
  for (std::size_t w = lo / 64; w < words.size() && w * 64 < hi; ++w) {
    if (words[w] != 0) return true;
  }
  return false;
}

// Calls fn(offset in window, doc, fixed-point contribution) for the term's postings in [lo, hi).
template <class Fn>
void for_each_in_window(const Cursor& c, std::uint32_t lo, std::uint32_t hi, Fn&& fn) {
  Block docs{};
  const auto& blocks = c.list->blocks();
  for (std::size_t b = c.block; b < blocks.size() && blocks[b].first_doc < hi; ++b) {
    c.list->decode_docs(b, docs.data());
    const float* impacts = c.term->impacts + PostingList::first_posting(b);
    const std::size_t n = blocks[b].count;
    std::size_t i = 0;
    if (blocks[b].first_doc < lo) {
      i = static_cast<std::size_t>(std::lower_bound(docs.data(), docs.data() + n, lo) - docs.data());
    }
    for (; i < n && docs[i] < hi; ++i) fn(docs[i] - lo, docs[i], to_fixed(c.term->contribution(impacts[i])));
  }
}

}  // namespace

std::vector<ScoredId> search_pruned(const SearchInput& in) {
  const std::size_t nt = in.terms.size();
  std::vector<Cursor> cursors(nt);
  for (std::size_t i = 0; i < nt; ++i) {
    Cursor& c = cursors[i];
    c.term = &in.terms[i];
    c.list = &in.postings[c.term->term];
  }
  Scratch& s = scratch();
  s.reserve(kWindow);
  std::int64_t* const acc = s.acc.data();
  std::uint8_t* const state = s.state.data();  // 0: untouched, 1: touched, 2: candidate
  std::uint32_t* const touched = s.touched.data();
  std::size_t n_touched = 0;
  std::vector<std::size_t> by_bound(nt);
  TopK top(in.k);
  const auto id_bound = static_cast<std::uint32_t>(in.doc_len.size());

  for (std::uint64_t lo64 = 0; lo64 < id_bound; lo64 += kWindow) {
    const auto lo = static_cast<std::uint32_t>(lo64);
    const auto hi = static_cast<std::uint32_t>(std::min<std::uint64_t>(lo64 + kWindow, id_bound));
    std::int64_t window_sum = in.base;
    for (Cursor& c : cursors) {
      const auto& blocks = c.list->blocks();
      while (c.block < blocks.size() && blocks[c.block].last_doc < lo) ++c.block;
      c.window_bound = 0;
      for (std::size_t b = c.block; b < blocks.size() && blocks[b].first_doc < hi; ++b) {
        c.window_bound = std::max(c.window_bound, block_bound(c, b));
      }
      window_sum += c.window_bound;
    }
    // Bounds exceed true scores, and later ids lose ties to kept hits: a window whose bound
    // does not exceed the threshold cannot contribute.
    if (top.full() && window_sum <= top.threshold()) continue;
    if (in.allow != nullptr && !any_allowed(*in.allow, lo, hi)) continue;

    // MaxScore split: the weakest terms whose bounds (with the floor) stay below the threshold
    // cannot make a hit on their own; only documents of the other (strong) terms are candidates.
    for (std::size_t i = 0; i < nt; ++i) by_bound[i] = i;
    std::sort(by_bound.begin(), by_bound.end(),
              [&](std::size_t a, std::size_t b) { return cursors[a].window_bound < cursors[b].window_bound; });
    std::size_t n_weak = 0;
    std::int64_t weak_sum = in.base;
    if (top.full()) {
      while (n_weak < nt && weak_sum + cursors[by_bound[n_weak]].window_bound < top.threshold()) {
        weak_sum += cursors[by_bound[n_weak]].window_bound;
        ++n_weak;
      }
    }
    n_touched = 0;
    for (std::size_t j = n_weak; j < nt; ++j) {
      const Cursor& c = cursors[by_bound[j]];
      if (c.window_bound == 0) continue;
      for_each_in_window(c, lo, hi, [&](std::uint32_t off, std::uint32_t doc, std::int64_t x) {
        if (in.allow != nullptr && !in.allow->test(doc)) return;
        touched[n_touched] = off;
        n_touched += state[off] == 0;
        state[off] = 1;
        acc[off] += x;
      });
    }
    // Candidates: documents whose strong part plus every weak bound can still reach the threshold.
    std::size_t n_candidates = 0;
    for (std::size_t t = 0; t < n_touched; ++t) {
      const std::uint32_t off = touched[t];
      if (!top.full() || acc[off] + weak_sum >= top.threshold()) {
        state[off] = 2;
        ++n_candidates;
      }
    }
    if (n_candidates > 0) {
      for (std::size_t j = 0; j < n_weak; ++j) {
        const Cursor& c = cursors[by_bound[j]];
        if (c.window_bound == 0) continue;
        for_each_in_window(c, lo, hi, [&](std::uint32_t off, std::uint32_t, std::int64_t x) {
          if (state[off] == 2) acc[off] += x;
        });
      }
    }
    for (std::size_t t = 0; t < n_touched; ++t) {
      const std::uint32_t off = touched[t];
      if (state[off] == 2) top.push({acc[off] + in.base, lo + off});
      acc[off] = 0;
      state[off] = 0;
    }
  }
  return std::move(top).sorted();
}

}  // namespace ragkernel::text::detail

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

constexpr std::uint32_t kEnd = 0xFFFFFFFFu;

// A position in one term's postings. Blocks are decoded only when a document inside them is
// needed; skipping uses the block metadata alone.
class Cursor {
 public:
  Cursor(const QueryTerm& q, const PostingList& list) : q_(&q), list_(&list) {
    float best = 0.0f;
    for (std::size_t b = 0; b < list.blocks().size(); ++b) best = std::max(best, q.block_max[b]);
    bound_ = bound_of(best);
    load(0);
  }

  std::uint32_t doc() const noexcept { return doc_; }
  std::int64_t bound() const noexcept { return bound_; }  // over the whole list

  void next() noexcept {
    if (++pos_ < count_) {
      doc_ = docs_[pos_];
    } else {
      load(block_ + 1);
    }
  }

  // Moves to the first posting with doc >= target. Returns the bound of the block that would
  // hold `target` (0 when no block does), without decoding when `decode` is false.
  std::int64_t seek_block(std::uint32_t target) noexcept {
    const auto& blocks = list_->blocks();
    if (doc_ >= target) return doc_ == target ? block_bound(block_) : 0;
    std::size_t b = block_;
    if (blocks[b].last_doc < target) {
      b = static_cast<std::size_t>(
          std::lower_bound(blocks.begin() + static_cast<std::ptrdiff_t>(b) + 1, blocks.end(), target,
                           [](const BlockMeta& m, std::uint32_t d) { return m.last_doc < d; }) -
          blocks.begin());
      if (b == blocks.size()) {
        block_ = b;
        doc_ = kEnd;
        return 0;
      }
      if (b != block_) {
        block_ = b;
        loaded_ = false;
        doc_ = blocks[b].first_doc;  // a lower bound of the next posting until decoded
      }
    }
    return blocks[b].first_doc <= target ? block_bound(b) : 0;
  }

  // After seek_block: the contribution at `target`, or 0 when the term does not hold it.
  std::int64_t score_at(std::uint32_t target) noexcept {
    if (doc_ == kEnd) return 0;
    if (!loaded_) load(block_);
    if (doc_ < target) {
      pos_ =
          static_cast<std::size_t>(std::lower_bound(docs_.data() + pos_, docs_.data() + count_, target) - docs_.data());
      if (pos_ == count_) {
        load(block_ + 1);
        return 0;
      }
      doc_ = docs_[pos_];
    }
    return doc_ == target ? contribution() : 0;
  }

  std::int64_t contribution() const noexcept {
    return to_fixed(q_->contribution(q_->impacts[PostingList::first_posting(block_) + pos_]));
  }

 private:
  std::int64_t bound_of(float max_impact) const noexcept { return to_fixed(q_->contribution(max_impact)) + 1; }
  std::int64_t block_bound(std::size_t b) const noexcept { return bound_of(q_->block_max[b]); }

  void load(std::size_t b) noexcept {
    block_ = b;
    pos_ = 0;
    if (b >= list_->blocks().size()) {
      count_ = 0;
      doc_ = kEnd;
      return;
    }
    list_->decode_docs(b, docs_.data());
    count_ = list_->blocks()[b].count;
    doc_ = docs_[0];
    loaded_ = true;
  }

  const QueryTerm* q_;
  const PostingList* list_;
  Block docs_{};
  std::size_t block_ = 0, pos_ = 0, count_ = 0;
  std::uint32_t doc_ = kEnd;
  bool loaded_ = false;
  std::int64_t bound_ = 0;
};

}  // namespace

// Block-max MaxScore, document at a time. Terms sorted by their bound; the weakest ones whose
// bounds (with the floor) sum below the k-th score are "non-essential": no document is
// considered for them alone, and for a candidate they are probed strongest first, each only
// while the candidate can still reach the k-th score, using the bound of the block that would
// hold the candidate before decoding it.
std::vector<ScoredId> search_pruned(const SearchInput& in) {
  const std::size_t nt = in.terms.size();
  std::vector<Cursor> cursors;
  cursors.reserve(nt);
  for (const QueryTerm& q : in.terms) cursors.emplace_back(q, in.postings[q.term]);
  std::sort(cursors.begin(), cursors.end(), [](const Cursor& a, const Cursor& b) { return a.bound() < b.bound(); });
  std::vector<std::int64_t> prefix(nt + 1, 0);  // prefix[i]: bounds of cursors[0..i)
  for (std::size_t i = 0; i < nt; ++i) prefix[i + 1] = prefix[i] + cursors[i].bound();

  TopK top(in.k);
  std::size_t n_weak = 0;  // cursors[0..n_weak) are non-essential
  while (true) {
    std::uint32_t d = kEnd;
    for (std::size_t i = n_weak; i < nt; ++i) d = std::min(d, cursors[i].doc());
    if (d == kEnd) break;
    if (in.allow != nullptr && !in.allow->test(d)) {
      for (std::size_t i = n_weak; i < nt; ++i) {
        if (cursors[i].doc() == d) cursors[i].next();
      }
      continue;
    }
    std::int64_t score = in.base;
    for (std::size_t i = n_weak; i < nt; ++i) {
      if (cursors[i].doc() == d) {
        score += cursors[i].contribution();
        cursors[i].next();
      }
    }
    bool alive = true;
    for (std::size_t i = n_weak; i-- > 0;) {
      if (top.full() && score + prefix[i + 1] < top.threshold()) {
        alive = false;
        break;
      }
      const std::int64_t block = cursors[i].seek_block(d);
      if (block == 0) continue;
      if (top.full() && score + block + prefix[i] < top.threshold()) continue;
      score += cursors[i].score_at(d);
    }
    if (!alive) continue;
    top.push({score, d});
    if (top.full()) {
      while (n_weak < nt && in.base + prefix[n_weak + 1] < top.threshold()) ++n_weak;
    }
  }
  return std::move(top).sorted();
}

}  // namespace ragkernel::text::detail

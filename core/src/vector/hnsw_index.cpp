// HNSW over a VectorStore: parallel build, slot reuse with neighbour repair, filtered and
// quantized traversal with float32 rescoring, lock-free readers.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/mix64.hpp"
#include "ragkernel/error.hpp"
#include "vector/hnsw_graph.hpp"
#include "vector/index_impl.hpp"
#include "vector/scan.hpp"

namespace ragkernel::vector {
namespace {

using detail::Candidate;
using detail::TopK;
using detail::VisitedSet;

constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::size_t kLockStripes = 4096;
// A filtered traversal walks over every node, allowed or not, and stops at the distance of
// the reach-th nearest node seen: reach = ef + kReachPerResult * k / selectivity, so about
// kReachPerResult * k allowed nodes lie inside the walked region whatever the selectivity.
// Measured on 200k clustered rows against the exact filtered answer: recall >= 0.977 at every
// selectivity from 1% to 50% for ef from 32 to 128, >= 0.92 at ef 16 (a walk that only steps
// on allowed nodes, two hops at a time, fell to 0.37-0.95 at 1-5%, and was slower above 15%).
constexpr double kReachPerResult = 4.0;
// Tombstones are unlinked in bulk once there are more than this many and a quarter of the
// live nodes.
constexpr std::size_t kMinConsolidate = 64;
// An index with float32 rows and no integer code links inserts of at least this many rows on
// transient 4-bit codes.
constexpr std::size_t kMinBuildCodesBatch = 1024;

// What a beam reuses across calls on a thread, shared by both beams: the visited set (1 byte
// per id) and one expansion's unvisited neighbours with their distances.
struct BeamScratch {
  VisitedSet visited;
  std::vector<std::uint32_t> ids;
  std::vector<float> dists;
  // Ready for a beam over `slots` ids whose nodes have at most `cap` neighbours.
  VisitedSet::Marker prepare(std::size_t slots, std::size_t cap) {
    if (ids.size() < cap) {
      ids.resize(cap);
      dists.resize(cap);
    }
    visited.prepare(slots);
    return visited.marker();
  }
};
BeamScratch& thread_scratch() {
  thread_local BeamScratch scratch;
  return scratch;
}

// The widest beam kept as one sorted list: an insert moves up to the whole list, so a wide
// beam (binary codes with k = 1000 rescore 16,000 candidates) keeps the heaps.
constexpr std::size_t kMaxListWidth = 1024;

// A min-heap of candidates to expand, reused across calls on a thread.
struct Frontier {
  std::vector<Candidate> heap;
  // A function object, not a function: std::push_heap inlines it (a function pointer was
  // called per comparison).
  struct Later {
    bool operator()(const Candidate& a, const Candidate& b) const noexcept { return b < a; }
  };
  static constexpr Later later{};
  void clear() noexcept { heap.clear(); }
  bool empty() const noexcept { return heap.empty(); }
  const Candidate& top() const noexcept { return heap.front(); }
  void push(Candidate c) {
    heap.push_back(c);
    std::push_heap(heap.begin(), heap.end(), later);
  }
  Candidate pop() {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate c = heap.back();
    heap.pop_back();
    return c;
  }
};

class HnswImpl final : public Index::Impl {
 public:
  explicit HnswImpl(const IndexOptions& o)
      : Impl(o),
        M_(o.M),
        M0_(2 * o.M),
        rec0_(2 * o.M + 1),
        recU_(o.M + 1),
        level_mult_(1.0 / std::log(static_cast<double>(std::max<std::size_t>(o.M, 2)))),
        locks_(new std::mutex[kLockStripes]) {}

  void grow(std::size_t slots) override {
    store.grow(slots);
    base_.resize(slots * rec0_, 0);
    levels_.resize(slots, 0);
    upper_.resize(slots);
  }

  std::size_t memory_bytes() const override {
    std::size_t upper = upper_.capacity() * sizeof(upper_[0]);
    for (std::size_t id = 0; id < upper_.size(); ++id) {
      if (upper_[id]) upper += std::size_t{levels_[id]} * recU_ * sizeof(std::uint32_t);
    }
    return store.memory_bytes() + base_.bytes() + levels_.bytes() + upper;
  }

  void insert(std::span<const std::uint32_t> ids, const float* prepared, const float* norms) override {
    const std::size_t d = options.dim;
    std::vector<std::uint32_t> reused;
    bool coded = false;  // this insert links on transient build codes
    {
      // Vectors of reused slots may be read by concurrent searches: write them exclusively.
      std::unique_lock lock(mutex);
      std::size_t reusing = 0;
      for (std::uint32_t id : ids) reusing += store.state(id) == detail::kDeleted ? 1 : 0;
      // Many slots reused at once (a churn round): unlink every tombstone in one pass first,
      // which also drops the edges into them that a per-node repair cannot find, then link
      // the new vectors as fresh nodes.
      if (reusing >= kMinConsolidate) consolidate();
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint32_t id = ids[i];
        if (store.state(id) == detail::kDeleted) reused.push_back(id);
        store.put(id, prepared + i * d, norms[i]);
        const int level = random_level(id);
        if (store.state(id) == detail::kFree) {
          levels_[id] = static_cast<std::uint8_t>(level);
          if (level > 0) {
            upper_[id].reset(new std::uint32_t[static_cast<std::size_t>(level) * recU_]);
            std::memset(upper_[id].get(), 0, static_cast<std::size_t>(level) * recU_ * sizeof(std::uint32_t));
          }
        }
        store.set_state(id, detail::kInserting);
      }
      coded = worth_build_codes(ids.size()) && store.make_build_codes();
    }
    deleted_ -= std::min(deleted_, reused.size());
    // Build codes go however linking ends (stale ones would misguide the next insert). Only
    // an insert that made them takes the exclusive lock again: searches of such a store never
    // read them, so only memory_usage() waits.
    struct DropBuildCodes {
      HnswImpl& index;
      bool coded;
      ~DropBuildCodes() {
        if (!coded) return;
        std::unique_lock lock(index.mutex);
        index.store.drop_build_codes();
      }
    } drop{*this, coded};
    link_all(ids, prepared, reused);
  }

  // Build codes of every stored row cost a pass over the rows (about a microsecond each),
  // which pays for itself when the insert links at least 1/64 as many rows (each link takes
  // hundreds of microseconds and about 40% less on codes).
  bool worth_build_codes(std::size_t batch) const noexcept {
    return store.wants_build_codes() && batch >= kMinBuildCodesBatch && batch * 64 >= live.load() + batch;
  }

  void link_all(std::span<const std::uint32_t> ids, const float* prepared, const std::vector<std::uint32_t>& reused) {
    const std::size_t d = options.dim;
    std::shared_lock lock(mutex);
    for (std::uint32_t id : reused) repair_around(id);
    std::size_t first = 0;
    if (entry_.load() == kNone) {
      start_graph(ids[0]);
      first = 1;
    }
    const auto n = static_cast<std::int64_t>(ids.size());
#pragma omp parallel for schedule(dynamic, 16)
    for (std::int64_t i = static_cast<std::int64_t>(first); i < n; ++i) {
      link(ids[static_cast<std::size_t>(i)], prepared + static_cast<std::size_t>(i) * d);
    }
  }

  void erase(std::span<const std::uint32_t> ids) override {
    // A tombstone: still a waypoint for traversal, never a result; its slot is repaired and
    // reused when the id is stored again (ids are reused by the IdMap). Tombstones that are
    // not reused are unlinked in one pass once they pass a quarter of the live nodes, so
    // they never pile up. Called with the exclusive lock held.
    for (std::uint32_t id : ids) store.set_state(id, detail::kDeleted);
    deleted_ += ids.size();
    if (deleted_ > std::max<std::size_t>(kMinConsolidate, live.load() / 4)) consolidate();
  }

  void search(const float* prepared, std::size_t nq, std::size_t k, const Bitset* allow, const SearchParams& params,
              std::vector<std::vector<Candidate>>& out) const override {
    out.assign(nq, {});
    const std::size_t ef = std::max(params.ef != 0 ? params.ef : options.ef_search, k);
    std::size_t reach = 0;
    if (allow != nullptr) {
      const double live_n = static_cast<double>(std::max<std::size_t>(live.load(), 1));
      const double allowed = static_cast<double>(std::min(allow->count(), live.load()));
      const double selectivity = allowed / live_n;
      // Never wider than a walk that fills all ef results with allowed nodes (about ef / s).
      const double widest = static_cast<double>(ef) / std::max(selectivity, 1e-9);
      const double wanted =
          static_cast<double>(ef) + kReachPerResult * static_cast<double>(k) / std::max(selectivity, 1e-9);
      const double walk = std::min({widest, wanted, 1e12});
      // Exact when the allowed rows cost less to scan than the walk, which expands about
      // `walk` nodes of 2M neighbours each.
      const double threshold = params.exact_threshold != 0
                                   ? static_cast<double>(params.exact_threshold)
                                   : std::max(2048.0, walk * static_cast<double>(M0_) * walk_to_scan(nq));
      if (allowed <= threshold) {
        detail::exact_scan(store, prepared, nq, k, allow, params, out);
        return;
      }
      reach = static_cast<std::size_t>(std::ceil(walk));
    }
    const int threads = detail::resolve_threads(params.threads);
    const std::size_t factor = params.rescore != 0 ? params.rescore : detail::default_rescore(store.quantization());
    // A quantized walk keeps at least k * factor results, and rescores all it keeps: cutting
    // them to k * factor by code before rescoring ran no faster on 1M rows (int4, int8) and
    // made a wider beam lose recall with binary codes, whose ranking is the coarsest.
    const std::size_t pool = store.quantized() ? std::max(ef, k * factor) : ef;
    if (nq == 1) {  // the common single-query call: no parallel region at all
      out[0] = search_one(store.prepare_query(prepared), k, pool, allow, reach);
      return;
    }
    const auto n = static_cast<std::int64_t>(nq);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::int64_t i = 0; i < n; ++i) {
      const detail::Query q = store.prepare_query(prepared + static_cast<std::size_t>(i) * options.dim);
      out[static_cast<std::size_t>(i)] = search_one(q, k, pool, allow, reach);
    }
  }

  // What scoring one neighbour in a filtered walk costs, in rows of an exact scan of the allowed
  // rows. Measured on 200k rows x 384, 1 thread, 1-50% allowed, ef 16-128 (a walk expanding n
  // nodes took 2.3-3.0 us per node on float32, 1.1-1.6 on codes; a scan took 60-120 ns per
  // allowed row for one float32 query, 15-25 on codes): a code's walk is 2-3x cheaper, and its
  // scan 3-6x, than float32's. A batch of 32 or more queries shares each pass over the rows,
  // float32's through the blocked kernel (10-13 ns a row per query), codes' less (9-14).
  double walk_to_scan(std::size_t nq) const noexcept {
    const bool batch = nq >= 32;
    if (store.quantized()) return batch ? 3.5 : 2.0;
    return batch ? 7.0 : 1.0;
  }

  // Breadth-first from the entry point over the base level, each list in its stored order
  // (nearest first): a search walks a region of the graph, and this puts a region's rows,
  // lists and visited marks in nearby memory. On 1M rows x 384 (int4 codes, no float32), single
  // queries ran 8-10% faster; slots the walk does not reach keep their relative order at the end.
  std::vector<std::uint32_t> locality_order() const override {
    const std::size_t slots = store.slots();
    std::vector<std::uint32_t> order(slots, kNone);
    std::vector<std::uint32_t> queue;
    queue.reserve(slots);
    const auto take = [&](std::uint32_t id) {
      if (order[id] != kNone) return;
      order[id] = static_cast<std::uint32_t>(queue.size());
      queue.push_back(id);
    };
    if (entry_.load() != kNone) take(entry_.load());
    for (std::size_t at = 0; at < queue.size(); ++at) {
      const std::uint32_t* rec = links(queue[at], 0);
      for (std::uint32_t j = 1; j <= rec[0]; ++j) take(rec[j]);
    }
    for (std::uint32_t id = 0; id < slots; ++id) take(id);
    return order;
  }

  // Copies rows, records and levels into their new slots, then (nothing can fail from there)
  // swaps them in and rewrites every link.
  void renumber(const std::vector<std::uint32_t>& new_of_old) override {
    detail::VectorStore::Permuted rows = store.permuted(new_of_old);
    detail::Buffer<std::uint32_t> base = base_.permuted(rec0_, new_of_old);
    detail::Buffer<std::uint8_t> levels = levels_.permuted(1, new_of_old);
    std::vector<std::unique_ptr<std::uint32_t[]>> upper(upper_.size());
    store.adopt(std::move(rows));
    base_ = std::move(base);
    levels_ = std::move(levels);
    for (std::size_t id = 0; id < upper_.size(); ++id) upper[new_of_old[id]] = std::move(upper_[id]);
    upper_ = std::move(upper);
    const std::size_t slots = store.slots();
    for (std::size_t id = 0; id < slots; ++id) {
      for (int level = 0; level <= levels_[id]; ++level) {
        if (level > 0 && !upper_[id]) break;
        std::uint32_t* rec = links(static_cast<std::uint32_t>(id), level);
        for (std::uint32_t j = 1; j <= rec[0]; ++j) rec[j] = new_of_old[rec[j]];
      }
    }
    if (entry_.load() != kNone) entry_.store(new_of_old[entry_.load()]);
  }

  void write(detail::SectionWriter& out) const override {
    store.write(out);
    const std::size_t slots = store.slots();
    const std::uint64_t meta[3] = {entry_.load(),
                                   static_cast<std::uint64_t>(static_cast<std::int64_t>(max_level_.load())), slots};
    out.section(detail::kTagGraphMeta, meta, 3);
    out.section(detail::kTagLevels, levels_.data(), slots);
    out.section(detail::kTagBaseLinks, base_.data(), slots * rec0_);
    std::vector<std::uint32_t> upper;
    for (std::size_t id = 0; id < slots; ++id) {
      if (store.state(static_cast<std::uint32_t>(id)) != detail::kFree && levels_[id] > 0) {
        upper.insert(upper.end(), upper_[id].get(), upper_[id].get() + std::size_t{levels_[id]} * recU_);
      }
    }
    out.section(detail::kTagUpperLinks, upper.data(), upper.size());
  }

  void read(const detail::SectionReader& in, std::size_t slots) override {
    store.read(in, slots);
    const auto* meta = in.array<std::uint64_t>(detail::kTagGraphMeta, 3);
    if (meta[2] != slots) throw Corruption("vector index file: graph and vectors disagree on the number of ids");
    const auto* levels = in.array<std::uint8_t>(detail::kTagLevels, slots);
    levels_.view(in.keepalive(), const_cast<std::uint8_t*>(levels), slots);
    base_.view(in.keepalive(), in.array<std::uint32_t>(detail::kTagBaseLinks, slots * rec0_), slots * rec0_);
    const std::span<std::byte> upper_bytes = in.bytes(detail::kTagUpperLinks);
    const auto* upper = reinterpret_cast<const std::uint32_t*>(upper_bytes.data());
    const std::size_t upper_n = upper_bytes.size() / sizeof(std::uint32_t);
    upper_.clear();
    upper_.resize(slots);
    std::size_t at = 0;
    int top = -1;
    for (std::size_t id = 0; id < slots; ++id) {
      if (store.state(static_cast<std::uint32_t>(id)) == detail::kFree || levels_[id] == 0) continue;
      const std::size_t len = std::size_t{levels_[id]} * recU_;
      if (at + len > upper_n) throw Corruption("vector index file: upper graph levels are truncated");
      upper_[id].reset(new std::uint32_t[len]);
      std::memcpy(upper_[id].get(), upper + at, len * sizeof(std::uint32_t));
      at += len;
      top = std::max(top, int{levels_[id]});
    }
    if (at != upper_n) throw Corruption("vector index file: upper graph levels have trailing data");
    detail::release_pages(upper_bytes);
    // Every link must name an id in range and every count fit its record.
    for (std::size_t id = 0; id < slots; ++id) {
      if (store.state(static_cast<std::uint32_t>(id)) == detail::kFree) continue;
      for (int level = 0; level <= levels_[id]; ++level) {
        const std::uint32_t* rec = links(static_cast<std::uint32_t>(id), level);
        if (rec[0] > capacity(level)) throw Corruption("vector index file: a neighbour list is longer than its record");
        for (std::uint32_t j = 1; j <= rec[0]; ++j) {
          if (rec[j] >= slots) throw Corruption("vector index file: a link names an id out of range");
        }
      }
    }
    const auto entry = static_cast<std::uint32_t>(meta[0]);
    const auto max_level = static_cast<int>(static_cast<std::int64_t>(meta[1]));
    if (entry != kNone && (entry >= slots || store.state(entry) == detail::kFree || max_level != levels_[entry])) {
      throw Corruption("vector index file: the graph entry point is invalid");
    }
    if (entry == kNone && top >= 0) throw Corruption("vector index file: a graph without an entry point");
    entry_.store(entry);
    max_level_.store(entry == kNone ? -1 : max_level);
    deleted_ = 0;
    for (std::uint32_t id = 0; id < slots; ++id) deleted_ += store.state(id) == detail::kDeleted ? 1 : 0;
  }

 private:
  std::size_t capacity(int level) const noexcept { return level == 0 ? M0_ : M_; }
  std::uint32_t* links(std::uint32_t id, int level) noexcept {
    return level == 0 ? base_.data() + std::size_t{id} * rec0_
                      : upper_[id].get() + static_cast<std::size_t>(level - 1) * recU_;
  }
  const std::uint32_t* links(std::uint32_t id, int level) const noexcept {
    return const_cast<HnswImpl*>(this)->links(id, level);
  }
  std::mutex& lock_of(std::uint32_t id) const noexcept { return locks_[id % kLockStripes]; }

  // A level drawn from a geometric law, seeded by the id so builds are reproducible.
  int random_level(std::uint32_t id) const noexcept {
    const std::uint64_t h = ragkernel::detail::mix64(options.seed * 0x9E3779B97F4A7C15ull + id + 1);
    const double u = (static_cast<double>(h >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    return std::min(static_cast<int>(-std::log(u) * level_mult_), 32);
  }

  // The rows ids as candidates scored by q with the finest code kept, nearest first.
  std::vector<Candidate> scored(const detail::Query& q, const std::vector<std::uint32_t>& ids) const {
    std::vector<float> dists(ids.size());
    store.dist_best_ids(q, ids.data(), ids.size(), dists.data());
    std::vector<Candidate> cands(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) cands[i] = {dists[i], ids[i]};
    std::sort(cands.begin(), cands.end());
    return cands;
  }

  // The candidates a beam found on codes, rescored.
  std::vector<Candidate> rescored(const detail::Query& q, const std::vector<Candidate>& found) const {
    std::vector<std::uint32_t> ids(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) ids[i] = found[i].id;
    return scored(q, ids);
  }

  // The rows ids as candidates for a's list. a is prepared as a query once for all of them:
  // without float32 rows that means decoding its int8 code, which cost more than the distances
  // when it was done per pair (int8-only builds ran several times slower than float32 ones).
  std::vector<Candidate> sorted_from(std::uint32_t a, const std::vector<std::uint32_t>& ids) const {
    thread_local std::vector<float> scratch;
    if (!store.has_floats()) scratch.resize(options.dim);
    return scored(store.row_query(a, scratch.data()), ids);
  }

  // hnswlib's heuristic: keep a candidate only if it is closer to the base than to every
  // neighbour kept so far, which spreads links across directions.
  // Each kept neighbour is prepared as a query once and scores the candidates after it (at
  // most m preparations, where one per candidate decoded int8 rows hundreds of times per
  // insert without float32 rows).
  std::vector<Candidate> select(const std::vector<Candidate>& sorted, std::size_t m) const {
    std::vector<Candidate> kept;
    kept.reserve(m);
    thread_local std::vector<detail::Query> kept_queries;
    thread_local std::vector<float> scratch;
    if (kept_queries.size() < m) kept_queries.resize(m);
    if (!store.has_floats() && scratch.size() < m * options.dim) scratch.resize(m * options.dim);
    for (const Candidate& c : sorted) {
      if (kept.size() >= m) break;
      bool good = true;
      for (std::size_t s = 0; s < kept.size() && good; ++s) {
        float d;
        store.dist_best_ids(kept_queries[s], &c.id, 1, &d);
        good = d >= c.dist;
      }
      if (!good) continue;
      kept_queries[kept.size()] = store.row_query(c.id, scratch.data() + kept.size() * options.dim);
      kept.push_back(c);
    }
    return kept;
  }

  void write_links(std::uint32_t id, int level, const std::vector<Candidate>& list) {
    std::uint32_t* rec = links(id, level);
    const std::size_t n = std::min(list.size(), capacity(level));
    for (std::size_t j = 0; j < n; ++j) detail::store_release(rec[1 + j], list[j].id);
    detail::store_release(rec[0], static_cast<std::uint32_t>(n));
  }

  // Adds id to the list of s at level (dist = distance between them), pruning a full list
  // with the heuristic.
  void connect(std::uint32_t s, std::uint32_t id, int level, float dist) {
    std::lock_guard lock(lock_of(s));
    std::uint32_t* rec = links(s, level);
    const std::uint32_t count = rec[0];
    for (std::uint32_t j = 1; j <= count; ++j) {
      if (rec[j] == id) return;
    }
    if (count < capacity(level)) {
      detail::store_release(rec[1 + count], id);
      detail::store_release(rec[0], count + 1);
      return;
    }
    std::vector<Candidate> cands = sorted_from(s, std::vector<std::uint32_t>(rec + 1, rec + 1 + count));
    const Candidate added{dist, id};
    cands.insert(std::upper_bound(cands.begin(), cands.end(), added), added);
    write_links(s, level, select(cands, capacity(level)));
  }

  void start_graph(std::uint32_t id) {
    std::lock_guard lock(entry_mutex_);
    entry_.store(id);
    max_level_.store(levels_[id]);
    store.set_state(id, detail::kLive);
  }

  // Before a deleted slot takes a new vector: every neighbour of the old node gets a new list
  // chosen from its own and the old node's neighbours (hnswlib's update repair), and the old
  // node's lists are cleared.
  void repair_around(std::uint32_t x) {
    const int level = levels_[x];
    if (entry_.load() == x) {
      std::uint32_t next = kNone;
      for (int l = level; l >= 0 && next == kNone; --l) {
        const std::uint32_t* rec = links(x, l);
        for (std::uint32_t j = 1; j <= rec[0] && next == kNone; ++j) {
          if (rec[j] != x && levels_[rec[j]] >= l && store.state(rec[j]) != detail::kFree) next = rec[j];
        }
      }
      std::lock_guard lock(entry_mutex_);
      entry_.store(next);
      max_level_.store(next == kNone ? -1 : levels_[next]);
    }
    for (int l = level; l >= 0; --l) {
      std::vector<std::uint32_t> old;
      {
        std::lock_guard lock(lock_of(x));
        const std::uint32_t* rec = links(x, l);
        old.assign(rec + 1, rec + 1 + rec[0]);
      }
      for (std::uint32_t n : old) {
        if (n == x || store.state(n) == detail::kFree) continue;
        std::vector<std::uint32_t> pool;
        {
          std::lock_guard lock(lock_of(n));
          const std::uint32_t* rec = links(n, l);
          pool.assign(rec + 1, rec + 1 + rec[0]);
        }
        pool.insert(pool.end(), old.begin(), old.end());
        std::sort(pool.begin(), pool.end());
        pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
        std::erase_if(pool, [&](std::uint32_t c) {
          const std::uint8_t st = store.state(c);
          return c == n || c == x || st == detail::kFree || st == detail::kDeleted;
        });
        const std::vector<Candidate> cands = sorted_from(n, pool);
        std::lock_guard lock(lock_of(n));
        write_links(n, l, select(cands, capacity(l)));
      }
      std::lock_guard lock(lock_of(x));
      detail::store_release(links(x, l)[0], 0);
    }
    if (entry_.load() == kNone) start_graph(x);
  }

  // Unlinks every tombstone: each live node that links to one gets a new list chosen from its
  // live neighbours and the tombstones' live neighbours; the tombstones' slots become free.
  // The caller holds the exclusive lock.
  void consolidate() {
    const auto slots = static_cast<std::int64_t>(store.slots());
#pragma omp parallel for schedule(dynamic, 256)
    for (std::int64_t i = 0; i < slots; ++i) {
      const auto x = static_cast<std::uint32_t>(i);
      const std::uint8_t st = store.state(x);
      if (st == detail::kFree || st == detail::kDeleted) continue;
      for (int l = 0; l <= levels_[x]; ++l) {
        std::uint32_t* rec = links(x, l);
        bool stale = false;
        for (std::uint32_t j = 1; j <= rec[0] && !stale; ++j) stale = store.state(rec[j]) == detail::kDeleted;
        if (!stale) continue;
        std::vector<std::uint32_t> pool;
        for (std::uint32_t j = 1; j <= rec[0]; ++j) {
          const std::uint32_t nb = rec[j];
          if (store.state(nb) != detail::kDeleted) {
            pool.push_back(nb);
            continue;
          }
          const std::uint32_t* rec2 = links(nb, l);
          for (std::uint32_t t = 1; t <= rec2[0]; ++t) pool.push_back(rec2[t]);
        }
        std::sort(pool.begin(), pool.end());
        pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
        std::erase_if(pool, [&](std::uint32_t c) {
          const std::uint8_t cs = store.state(c);
          return c == x || cs == detail::kFree || cs == detail::kDeleted;
        });
        write_links(x, l, select(sorted_from(x, pool), capacity(l)));
      }
    }
    std::uint32_t entry = kNone;
    int top = -1;
    for (std::uint32_t x = 0; x < store.slots(); ++x) {
      const std::uint8_t st = store.state(x);
      if (st == detail::kDeleted) {
        store.set_state(x, detail::kFree);
        links(x, 0)[0] = 0;
        upper_[x].reset();
        levels_[x] = 0;
      } else if (st != detail::kFree && int{levels_[x]} > top) {
        top = levels_[x];
        entry = x;
      }
    }
    if (entry_.load() == kNone || store.state(entry_.load()) == detail::kFree) {
      entry_.store(entry);
      max_level_.store(top);
    }
    deleted_ = 0;
  }

  // Greedy descent on one upper level: move to the closest neighbour while one is closer.
  template <class DistIds>
  Candidate greedy(DistIds&& dist_ids, Candidate cur, int level) const {
    std::uint32_t ids[256 + 1];
    float dists[256 + 1];
    for (bool changed = true; changed;) {
      changed = false;
      const std::uint32_t* rec = links(cur.id, level);
      const std::uint32_t count = std::min<std::uint32_t>(detail::load_relaxed(rec[0]), static_cast<std::uint32_t>(M_));
      for (std::uint32_t j = 0; j < count; ++j) ids[j] = detail::load_relaxed(rec[1 + j]);
      dist_ids(ids, count, dists);
      for (std::uint32_t j = 0; j < count; ++j) {
        if (dists[j] < cur.dist) {
          cur = {dists[j], ids[j]};
          changed = true;
        }
      }
    }
    return cur;
  }

  // The neighbours of node at level not yet visited (now marked), into out; their count.
  std::size_t unvisited_neighbours(std::uint32_t node, int level, std::uint32_t cap, const VisitedSet::Marker& marks,
                                   std::uint32_t* out) const noexcept {
    const std::uint32_t* rec = links(node, level);
    const std::uint32_t count = std::min(detail::load_relaxed(rec[0]), cap);
    std::size_t m = 0;
    for (std::uint32_t j = 1; j <= count; ++j) {
      const std::uint32_t nb = detail::load_relaxed(rec[j]);
      out[m] = nb;
      m += marks.visit(nb) ? 1 : 0;
    }
    return m;
  }

  // Beam search on one level from the entry points; `admit` says which nodes may enter the
  // results. A filtered search passes `reach`: once `need` results are admitted, the walk stops
  // at the distance of the reach-th nearest node seen, allowed or not (without it the walk
  // would go on until all of `results` were allowed nodes, i.e. 1/selectivity times as far as
  // an unfiltered call). Each expansion first collects the unvisited neighbours, then scores
  // them with one batched kernel call (which keeps several row misses in flight), then offers
  // them to the frontier and the results.
  template <class DistIds, class Admit>
  void beam(DistIds&& dist_ids, const std::vector<Candidate>& entries, int level, Admit&& admit, TopK& results,
            std::size_t reach = 0, std::size_t need = 0) const {
    thread_local Frontier frontier;
    thread_local TopK nearest;
    BeamScratch& scratch = thread_scratch();
    const auto cap = static_cast<std::uint32_t>(capacity(level));
    const VisitedSet::Marker marks = scratch.prepare(store.slots(), cap);
    std::uint32_t* const ids = scratch.ids.data();
    float* const scores = scratch.dists.data();
    frontier.clear();
    nearest.reset(reach);
    // The distance beyond which nothing is expanded.
    const auto limit = [&]() noexcept {
      if (reach == 0) return results.bound();
      return results.size() < need ? std::numeric_limits<float>::infinity()
                                   : std::min(results.bound(), nearest.bound());
    };
    for (const Candidate& e : entries) {
      if (!marks.visit(e.id)) continue;
      frontier.push(e);
      nearest.push(e.dist, e.id);
      if (admit(e.id)) results.push(e.dist, e.id);
    }
    while (!frontier.empty()) {
      const Candidate c = frontier.pop();
      if (c.dist > limit()) break;
      // The next node to expand is probably the frontier's new best: fetch its list early.
      if (!frontier.empty()) __builtin_prefetch(links(frontier.top().id, level), 0, 3);
      const std::size_t m = unvisited_neighbours(c.id, level, cap, marks, ids);
      if (m == 0) continue;
      dist_ids(ids, m, scores);
      // A node that enters the frontier is likely expanded soon: start fetching its list.
      const auto enqueue = [&](float d, std::uint32_t id) {
        __builtin_prefetch(links(id, level), 0, 3);
        frontier.push({d, id});
      };
      for (std::size_t i = 0; i < m; ++i) {
        const float d = scores[i];
        if (reach == 0) {
          if (d < results.bound()) {
            enqueue(d, ids[i]);
            if (admit(ids[i])) results.push(d, ids[i]);
          }
          continue;
        }
        if (admit(ids[i])) results.push(d, ids[i]);
        if (d < limit()) enqueue(d, ids[i]);
        nearest.push(d, ids[i]);
      }
    }
  }

  // The beam of an unfiltered search where every row is live (every node reached may be a
  // result): the frontier and the results are one sorted list (BeamList); the same walk as
  // beam() with `admit` always true, nearest first.
  template <class DistIds>
  std::vector<Candidate> beam_all(DistIds&& dist_ids, Candidate entry, std::size_t width) const {
    thread_local detail::BeamList list;
    BeamScratch& scratch = thread_scratch();
    const auto cap = static_cast<std::uint32_t>(M0_);
    const VisitedSet::Marker marks = scratch.prepare(store.slots(), cap);
    std::uint32_t* const ids = scratch.ids.data();
    float* const scores = scratch.dists.data();
    list.reset(width);
    marks.visit(entry.id);
    list.insert(entry);
    for (Candidate c; list.next(c);) {
      if (std::uint32_t after; list.peek(after)) __builtin_prefetch(links(after, 0), 0, 3);
      const std::size_t m = unvisited_neighbours(c.id, 0, cap, marks, ids);
      if (m == 0) continue;
      dist_ids(ids, m, scores);
      for (std::size_t i = 0; i < m; ++i) {
        if (scores[i] < list.bound() && list.insert({scores[i], ids[i]})) __builtin_prefetch(links(ids[i], 0), 0, 3);
      }
    }
    return list.take();
  }

  void link(std::uint32_t id, const float* vector) {
    const detail::Query q = store.prepare_build_query(vector);
    const bool on_codes = store.builds_on_codes();
    auto dist_ids = [&](const std::uint32_t* ids, std::size_t n, float* out) { store.dist_build_ids(q, ids, n, out); };
    const int level = levels_[id];
    std::uint32_t ep;
    int top;
    {
      std::lock_guard lock(entry_mutex_);
      ep = entry_.load();
      top = max_level_.load();
    }
    if (ep == id) {  // the only node (its slot was reused): nothing to link to
      store.set_state(id, detail::kLive);
      return;
    }
    Candidate cur{0.f, ep};
    dist_ids(&ep, 1, &cur.dist);
    for (int l = top; l > level; --l) cur = greedy(dist_ids, cur, l);
    auto admit = [&](std::uint32_t other) {
      const std::uint8_t st = store.state(other);
      return other != id && (st == detail::kLive || st == detail::kInserting);
    };
    std::vector<Candidate> entries{cur};
    for (int l = std::min(level, top); l >= 0; --l) {
      TopK found(options.ef_construction);
      beam(dist_ids, entries, l, admit, found);
      std::vector<Candidate> sorted = found.take_sorted();
      const std::vector<Candidate> chosen = select(on_codes ? rescored(q, sorted) : sorted, M_);
      {
        std::lock_guard lock(lock_of(id));
        write_links(id, l, chosen);
      }
      for (const Candidate& c : chosen) connect(c.id, id, l, c.dist);
      if (!sorted.empty()) entries = std::move(sorted);
    }
    store.set_state(id, detail::kLive);
    if (level > top) {
      std::lock_guard lock(entry_mutex_);
      if (level > max_level_.load()) {
        entry_.store(id);
        max_level_.store(level);
      }
    }
  }

  std::vector<Candidate> search_one(const detail::Query& q, std::size_t k, std::size_t pool, const Bitset* allow,
                                    std::size_t reach) const {
    std::uint32_t ep;
    int top;
    {
      std::lock_guard lock(entry_mutex_);
      ep = entry_.load();
      top = max_level_.load();
    }
    if (ep == kNone) return {};
    auto dist_ids = [&](const std::uint32_t* ids, std::size_t n, float* out) { store.dist_coarse_ids(q, ids, n, out); };
    Candidate cur{0.f, ep};
    dist_ids(&ep, 1, &cur.dist);
    for (int l = top; l > 0; --l) cur = greedy(dist_ids, cur, l);
    const bool all_live = store.all_live();
    auto admit = [&](std::uint32_t other) {
      return (all_live || store.state(other) == detail::kLive) && (allow == nullptr || allow->test(other));
    };
    std::vector<Candidate> sorted;
    if (allow == nullptr && all_live && pool <= kMaxListWidth) {
      sorted = beam_all(dist_ids, cur, pool);
    } else {
      TopK found(pool);
      beam(dist_ids, {cur}, 0, admit, found, reach, k);
      sorted = found.take_sorted();
    }
    if (store.quantized()) return detail::rescore(store, q, sorted, k);
    if (sorted.size() > k) sorted.resize(k);
    return sorted;
  }

  const std::size_t M_, M0_, rec0_, recU_;
  const double level_mult_;
  detail::Buffer<std::uint32_t> base_;
  detail::Buffer<std::uint8_t> levels_;
  std::vector<std::unique_ptr<std::uint32_t[]>> upper_;
  std::atomic<std::uint32_t> entry_{kNone};
  std::atomic<int> max_level_{-1};
  std::size_t deleted_ = 0;  // tombstones (changed by writers only)
  mutable std::mutex entry_mutex_;
  std::unique_ptr<std::mutex[]> locks_;
};

}  // namespace

std::unique_ptr<Index::Impl> make_hnsw(const IndexOptions& options) { return std::make_unique<HnswImpl>(options); }

}  // namespace ragkernel::vector

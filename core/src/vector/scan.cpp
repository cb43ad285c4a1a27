#include "vector/scan.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ragkernel::vector::detail {
namespace {

constexpr std::size_t kRowBlock = 128;   // rows per tile: 192 KB of float32 at d=384, stays in L2
constexpr std::size_t kQueryBlock = 32;  // queries sharing one pass over a row block
// Large float32 batches: tiles big enough for the GEMM's packing to pay for itself (the tile
// of scores is 4 MB per thread; Eigen ran at 81 GFLOP/s with 256-query tiles, 94 with 1024).
constexpr std::size_t kGemmRowBlock = 1024;
constexpr std::size_t kGemmQueryBlock = 1024;
constexpr std::size_t kGemmMinBatch = 64;
// A listed (sparse) scan copies each block of rows into a tile once at least this many queries
// share it; fewer score the rows where they lie.
constexpr std::size_t kListCopyMinQueries = 4;

// Ids in [begin, end) that are live and allowed.
std::size_t admitted(const VectorStore& store, const Bitset* allow, std::uint32_t begin, std::uint32_t end,
                     std::uint32_t* ids) {
  std::size_t n = 0;
  for (std::uint32_t id = begin; id < end; ++id) {
    if (store.state(id) == kLive && (allow == nullptr || allow->test(id))) ids[n++] = id;
  }
  return n;
}

// True if any of the 8 scores at t is >= floor.
inline bool any_at_least(const float* t, float floor) noexcept {
#if defined(__SSE2__)
  const __m128 f = _mm_set1_ps(floor);
  const __m128 hit = _mm_or_ps(_mm_cmpge_ps(_mm_loadu_ps(t), f), _mm_cmpge_ps(_mm_loadu_ps(t + 4), f));
  return _mm_movemask_ps(hit) != 0;
#else
  bool any = false;
  for (std::size_t j = 0; j < 8; ++j) any |= t[j] >= floor;
  return any;
#endif
}

// Offers the inner products dots[0, n) of rows first, first + 1, ... (distance = -dot) to
// heap. Once the heap is full nearly every row loses, so 8 scores are tested against its
// bound at once and only a chunk with a winner is looked at one by one: the scalar test of
// every score took about a tenth of a large batch's time next to the GEMM.
void offer_dots(const float* dots, std::size_t n, std::uint32_t first, TopK& heap) {
  std::size_t a = 0;
  for (; a + 8 <= n; a += 8) {
    if (!any_at_least(dots + a, -heap.bound())) continue;
    for (std::size_t j = a; j < a + 8; ++j) {
      if (-dots[j] <= heap.bound()) heap.push(-dots[j], first + static_cast<std::uint32_t>(j));
    }
  }
  for (; a < n; ++a) {
    if (-dots[a] <= heap.bound()) heap.push(-dots[a], first + static_cast<std::uint32_t>(a));
  }
}

// Scores the rows [r0, r1) against queries [q0, q0 + qn) into heaps[0 .. qn).
void scan_range(const VectorStore& store, const std::vector<Query>& qs, std::size_t q0, std::size_t qn,
                std::uint32_t r0, std::uint32_t r1, std::size_t row_block, const Bitset* allow, TopK* heaps) {
  const std::size_t d = store.dim();
  const simd::Kernels& kern = store.kernels();
  const bool l2 = store.metric() == Metric::l2;
  // Scratch for the code being scanned only (a one-query search allocates little).
  const Quantization code = store.quantization();
  std::vector<std::uint32_t> ids(row_block);
  std::vector<float> tile(code == Quantization::none ? qn * row_block : 0);
  std::vector<std::int32_t> ibuf(code == Quantization::int8 ? row_block : 0);
  std::vector<std::uint32_t> ubuf(code == Quantization::binary ? row_block : 0);
  std::vector<float> fbuf(code == Quantization::int4 ? row_block : 0);
  for (std::uint32_t rb = r0; rb < r1; rb += static_cast<std::uint32_t>(row_block)) {
    const std::uint32_t re = std::min<std::uint32_t>(r1, rb + static_cast<std::uint32_t>(row_block));
    const std::size_t nr = re - rb;
    const std::size_t na = admitted(store, allow, rb, re, ids.data());
    if (na == 0) continue;
    const bool dense = na * 4 >= nr;
    switch (code) {
      case Quantization::none:
        if (dense) {
          kern.dot_f32_block(qs[q0].v, qn, d, store.row(rb), nr, d, d, tile.data(), row_block);
          if (!l2 && na == nr) {  // every row admitted, distance = -dot: skip whole chunks
            for (std::size_t qi = 0; qi < qn; ++qi) offer_dots(tile.data() + qi * row_block, nr, rb, heaps[qi]);
            break;
          }
          for (std::size_t qi = 0; qi < qn; ++qi) {
            const Query& q = qs[q0 + qi];
            TopK& heap = heaps[qi];
            const float* t = tile.data() + qi * row_block;
            for (std::size_t a = 0; a < na; ++a) {
              const std::uint32_t id = ids[a];
              const float dot = t[id - rb];
              const float dist = l2 ? q.qq + store.norm(id) * store.norm(id) - 2.f * dot : -dot;
              if (dist <= heap.bound()) heap.push(dist, id);
            }
          }
        } else {
          for (std::size_t qi = 0; qi < qn; ++qi) {
            for (std::size_t a = 0; a < na; ++a) {
              const float dist = store.dist_float(qs[q0 + qi], ids[a]);
              if (dist <= heaps[qi].bound()) heaps[qi].push(dist, ids[a]);
            }
          }
        }
        break;
      case Quantization::int8:
        for (std::size_t qi = 0; qi < qn; ++qi) {
          const Query& q = qs[q0 + qi];
          if (dense) {
            for (std::size_t r = 0; r < nr; ++r) ibuf[r] = kern.dot_i8_sym(q.i8.code.data(), store.code(rb) + r * d, d);
            for (std::size_t a = 0; a < na; ++a) {
              const std::uint32_t id = ids[a];
              const float dot = q.i8.dot(ibuf[id - rb]);
              const float dist = l2 ? q.qq + store.norm(id) * store.norm(id) - 2.f * dot : -dot;
              if (dist <= heaps[qi].bound()) heaps[qi].push(dist, id);
            }
          } else {
            for (std::size_t a = 0; a < na; ++a) {
              const float dist = store.dist_int8(q, ids[a]);
              if (dist <= heaps[qi].bound()) heaps[qi].push(dist, ids[a]);
            }
          }
        }
        break;
      case Quantization::binary:
        for (std::size_t qi = 0; qi < qn; ++qi) {
          const Query& q = qs[q0 + qi];
          if (dense) {
            kern.hamming_rows(q.bits.data(), store.bits(rb), nr, store.code_bytes(), store.code_bytes(), ubuf.data());
            for (std::size_t a = 0; a < na; ++a) {
              const auto dist = static_cast<float>(ubuf[ids[a] - rb]);
              if (dist <= heaps[qi].bound()) heaps[qi].push(dist, ids[a]);
            }
          } else {
            for (std::size_t a = 0; a < na; ++a) {
              const float dist = store.dist_binary(q, ids[a]);
              if (dist <= heaps[qi].bound()) heaps[qi].push(dist, ids[a]);
            }
          }
        }
        break;
      case Quantization::int4:
        // The admitted ids run in memory order, so the gathered kernel streams them.
        for (std::size_t qi = 0; qi < qn; ++qi) {
          store.dist_coarse_ids(qs[q0 + qi], ids.data(), na, fbuf.data());
          for (std::size_t a = 0; a < na; ++a) {
            if (fbuf[a] <= heaps[qi].bound()) heaps[qi].push(fbuf[a], ids[a]);
          }
        }
        break;
    }
  }
}

// Scores the listed ids (a sparse allow-set's live members) against queries [q0, q0 + qn). For
// float32 each block of listed rows is first copied into one contiguous tile, so the blocked
// (or GEMM) kernel serves it as it serves a dense block; quantized codes are scored in place by
// the gathered kernel.
void scan_list(const VectorStore& store, const std::vector<Query>& qs, std::size_t q0, std::size_t qn,
               const std::uint32_t* ids, std::size_t count, std::size_t row_block, TopK* heaps) {
  const std::size_t d = store.dim();
  const simd::Kernels& kern = store.kernels();
  const bool l2 = store.metric() == Metric::l2;
  const bool floats = store.quantization() == Quantization::none;
  std::vector<float> rows(floats && qn >= kListCopyMinQueries ? row_block * d : 0);
  std::vector<float> tile(qn * row_block);  // inner products (float32) or distances (codes)
  // A few queries score the scattered rows in place with the gathered kernel (which prefetches
  // rows ahead); more share one copy of each block.
  const bool gathered = qn < kListCopyMinQueries;
  for (std::size_t b = 0; b < count; b += row_block) {
    const std::size_t nb = std::min(row_block, count - b);
    const std::uint32_t* block = ids + b;
    if (floats && gathered) {
      for (std::size_t qi = 0; qi < qn; ++qi) {
        kern.dot_f32_ids(qs[q0 + qi].v, store.row(0), d, block, nb, d, tile.data() + qi * row_block);
      }
    } else if (floats) {
      for (std::size_t a = 0; a < nb; ++a) {
        if (a + 4 < nb) __builtin_prefetch(store.row(block[a + 4]), 0, 0);
        std::copy_n(store.row(block[a]), d, rows.data() + a * d);
      }
      kern.dot_f32_block(qs[q0].v, qn, d, rows.data(), nb, d, d, tile.data(), row_block);
    } else {
      for (std::size_t qi = 0; qi < qn; ++qi)
        store.dist_coarse_ids(qs[q0 + qi], block, nb, tile.data() + qi * row_block);
    }
    for (std::size_t qi = 0; qi < qn; ++qi) {
      const Query& q = qs[q0 + qi];
      TopK& heap = heaps[qi];
      for (std::size_t a = 0; a < nb; ++a) {
        const std::uint32_t id = block[a];
        const float t = tile[qi * row_block + a];
        const float dist = !floats ? t : l2 ? q.qq + store.norm(id) * store.norm(id) - 2.f * t : -t;
        if (dist <= heap.bound()) heap.push(dist, id);
      }
    }
  }
}

}  // namespace

int resolve_threads(int requested) noexcept { return requested > 0 ? requested : omp_get_max_threads(); }

std::size_t default_rescore(Quantization q) noexcept {
  switch (q) {
    case Quantization::int8:
    case Quantization::int4: return 4;
    case Quantization::binary: return 16;
    default: return 1;
  }
}

std::vector<Candidate> rescore(const VectorStore& store, const Query& q, const std::vector<Candidate>& candidates,
                               std::size_t k) {
  // Candidates come nearest first by the coarse code. They are rescored a chunk at a time (one
  // gathered call per chunk keeps its rows' misses in flight together), and rescoring stops
  // once the next candidate's coarse distance, less the code's error margin, is past the k-th
  // best rescored distance: on 1M rows most of an ef-wide pool is that far out.
  constexpr std::size_t kChunk = 16;
  thread_local std::vector<std::uint32_t> ids;
  thread_local std::vector<float> dists;
  ids.resize(candidates.size());
  dists.resize(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) ids[i] = candidates[i].id;
  const float margin = store.coarse_margin(q);
  TopK best(k);
  for (std::size_t at = 0; at < ids.size(); at += kChunk) {
    if (best.full() && candidates[at].dist - margin > best.bound()) break;
    const std::size_t n = std::min(kChunk, ids.size() - at);
    store.dist_best_ids(q, ids.data() + at, n, dists.data() + at);
    for (std::size_t i = at; i < at + n; ++i) best.push(dists[i], ids[i]);
  }
  return best.take_sorted();
}

void exact_scan(const VectorStore& store, const float* queries, std::size_t nq, std::size_t k, const Bitset* allow,
                const SearchParams& params, std::vector<std::vector<Candidate>>& out) {
  out.assign(nq, {});
  const auto n = static_cast<std::uint32_t>(store.slots());
  if (n == 0 || nq == 0) return;
  const std::size_t d = store.dim();
  const std::size_t factor = params.rescore != 0 ? params.rescore : default_rescore(store.quantization());
  const std::size_t keep = store.quantized() ? k * factor : k;

  std::vector<Query> qs(nq);
  for (std::size_t i = 0; i < nq; ++i) qs[i] = store.prepare_query(queries + i * d);

  // A sparse allow-set (under a quarter of the rows) is scanned as a list of its live ids, so
  // no pass walks the states of rows it would skip and the float32 rows still meet a blocked
  // kernel; otherwise the rows are scanned in place, block by block.
  std::vector<std::uint32_t> list;
  const bool listed = allow != nullptr && allow->count() * 4 < n;
  if (listed) {
    allow->for_each([&](std::size_t id) {
      if (id < n && store.state(static_cast<std::uint32_t>(id)) == kLive)
        list.push_back(static_cast<std::uint32_t>(id));
    });
  }
  const auto total = static_cast<std::uint32_t>(listed ? list.size() : n);
  if (total == 0) return;
  // A thread costs a wake-up (milliseconds when the other core is busy); below about four
  // million floats (16 MB) per thread, one thread is faster.
  const int threads =
      std::max(1, std::min(resolve_threads(params.threads), static_cast<int>(std::size_t{total} * d * nq >> 22)));
  // Scores positions [p0, p1) of the rows (or of the list) against queries [q0, q0 + qn).
  const auto scan = [&](std::size_t q0, std::size_t qn, std::uint32_t p0, std::uint32_t p1, std::size_t row_block,
                        TopK* into) {
    if (listed) {
      scan_list(store, qs, q0, qn, list.data() + p0, p1 - p0, row_block, into);
    } else {
      scan_range(store, qs, q0, qn, p0, p1, row_block, allow, into);
    }
  };

  std::vector<TopK> heaps(nq, TopK(keep));
  const bool gemm = store.quantization() == Quantization::none && nq >= kGemmMinBatch;
  const std::size_t row_block = gemm ? kGemmRowBlock : kRowBlock;
  const std::size_t qblock =
      std::min(gemm ? kGemmQueryBlock : kQueryBlock, std::max<std::size_t>(1, (nq + threads - 1) / threads));
  const std::size_t nblocks = (nq + qblock - 1) / qblock;
  if (threads == 1) {
    // No parallel region at all: entering one, even for one thread, costs microseconds once
    // the OpenMP pool exists, which is most of a small search.
    for (std::size_t q0 = 0; q0 < nq; q0 += qblock)
      scan(q0, std::min(qblock, nq - q0), 0, total, row_block, heaps.data() + q0);
  } else if (nblocks >= static_cast<std::size_t>(threads)) {
    // Enough queries: each thread takes whole query blocks and scans every row.
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::size_t b = 0; b < nblocks; ++b) {
      const std::size_t q0 = b * qblock;
      scan(q0, std::min(qblock, nq - q0), 0, total, row_block, heaps.data() + q0);
    }
  } else {
    // Few queries: split the rows, give each thread its own heaps, merge.
    const auto rows = static_cast<std::uint32_t>(row_block);
    const std::uint32_t chunk = std::max(rows, (total / static_cast<std::uint32_t>(threads) + rows - 1) / rows * rows);
    const std::uint32_t nchunks = (total + chunk - 1) / chunk;
    std::vector<std::vector<TopK>> partial(nchunks, std::vector<TopK>(nq, TopK(keep)));
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (std::uint32_t c = 0; c < nchunks; ++c) {
      const std::uint32_t r0 = c * chunk;
      const std::uint32_t r1 = std::min(total, r0 + chunk);
      for (std::size_t q0 = 0; q0 < nq; q0 += qblock) {
        scan(q0, std::min(qblock, nq - q0), r0, r1, row_block, partial[c].data() + q0);
      }
    }
    for (auto& part : partial) {
      for (std::size_t i = 0; i < nq; ++i) heaps[i].merge(part[i]);
    }
  }
  for (std::size_t i = 0; i < nq; ++i) {
    // Final scores come from the single-pair kernel (the tile kernel sums in another order,
    // and the l2 expansion loses digits near zero), so every index reports the same numbers.
    out[i] = rescore(store, qs[i], heaps[i].take_sorted(), k);
  }
}

}  // namespace ragkernel::vector::detail

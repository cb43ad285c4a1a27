#pragma once
// Per-id storage of an index: float32 rows (normalised for cosine), the norm of each original
// vector, int8, binary and 4-bit codes, and a state byte (free, live, or deleted but still linked in
// a graph). Indexed by internal id; slots grow to the largest id stored.
//
// Distances inside the indexes are "lower is better": -dot for cosine and ip, squared L2 for
// l2. Quantized codes give approximations that rank candidates for float32 rescoring.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ragkernel/simd/kernels.hpp"
#include "ragkernel/vector/types.hpp"
#include "vector/buffer.hpp"
#include "vector/file_format.hpp"

namespace ragkernel::vector::detail {

// kInserting: stored and being linked by a writer (a graph may link to it, results may not
// contain it yet). kDeleted: removed, but still a waypoint of a graph until its slot is reused.
enum SlotState : std::uint8_t { kFree = 0, kLive = 1, kDeleted = 2, kInserting = 3 };

// x ~ offset + scale * c with c in [-127, 127] per dimension; binary bits are x > mean.
struct Int8Quantizer {
  std::vector<float> offset, scale, mean;
  bool trained() const noexcept { return !offset.empty(); }
  void train(const float* rows, std::size_t n, std::size_t dim);
  void encode(const float* x, std::size_t dim, std::int8_t* code) const noexcept;
  void decode(const std::int8_t* code, std::size_t dim, float* x) const noexcept;
  void encode_bits(const float* x, std::size_t dim, std::uint8_t* bits) const noexcept;
};

// x ~ low + step * c with c in [0, 15] per dimension; the range spans the `clip` to 1 - `clip`
// quantiles of the training rows (values beyond are clamped). Codes are in the kernels' nibble
// layout. A 3-bit refinement f in [0, 7] splits each step in eight: x ~ low + step * (c + (f +
// 0.5) / 8 - 0.5), a 7-bit code for rescoring without float32 rows.
struct Int4Quantizer {
  std::vector<float> low, step;
  void train(const float* rows, std::size_t n, std::size_t dim, double clip);
  void encode(const float* x, std::size_t dim, std::uint8_t* code) const noexcept;
  void encode_fine(const float* x, std::size_t dim, std::uint8_t* code, std::uint8_t* fine) const noexcept;
  void decode_fine(const std::uint8_t* code, const std::uint8_t* fine, std::size_t dim, float* x) const noexcept;
};

// A query's weights for a code on the grid offset + scale * c, coded in int8:
// dot(v, x) ~ offset_dot + step * (integer dot of code with x's code).
struct CodedWeights {
  std::vector<std::int8_t> code;
  float step = 0.f;
  float offset_dot = 0.f;
  float dot(std::int32_t integer_dot) const noexcept { return offset_dot + step * static_cast<float>(integer_dot); }
};

// A query prepared once for every code the store holds.
struct Query {
  const float* v = nullptr;  // normalised for cosine
  float qq = 0.f;            // |v|^2
  CodedWeights i8;           // against int8 codes (dot_i8_sym)
  CodedWeights i4;           // against 4-bit codes (dot_u4)
  CodedWeights fine;         // i4's weights on the 7-bit grid: 8 * dot_u4 + dot_u3 (no code of its own)
  std::vector<std::uint8_t> bits;
};

class VectorStore {
 public:
  explicit VectorStore(const IndexOptions& options);

  std::size_t dim() const noexcept { return dim_; }
  Metric metric() const noexcept { return metric_; }
  bool has_floats() const noexcept { return has_floats_; }
  bool has_int8() const noexcept { return has_int8_; }
  bool has_binary() const noexcept { return has_binary_; }
  bool has_fine() const noexcept { return has_fine_; }
  bool quantized() const noexcept { return quantization_ != Quantization::none; }
  Quantization quantization() const noexcept { return quantization_; }
  std::size_t code_bytes() const noexcept { return bit_bytes_; }

  std::size_t slots() const noexcept { return state_.size(); }
  void grow(std::size_t slots);  // callers hold the index's exclusive lock

  std::uint8_t state(std::uint32_t id) const noexcept {
    return std::atomic_ref<std::uint8_t>(const_cast<std::uint8_t&>(state_[id])).load(std::memory_order_acquire);
  }
  void set_state(std::uint32_t id, std::uint8_t s) noexcept {
    const std::uint8_t was = std::atomic_ref<std::uint8_t>(state_[id]).exchange(s, std::memory_order_acq_rel);
    if (unready(s) != unready(was)) unready_.fetch_add(unready(s) ? 1 : -1, std::memory_order_acq_rel);
  }
  // True when no stored row is deleted or being inserted, so every row a graph reaches is live
  // and a search need not read its state (a random read per result candidate). Rows become
  // deleted or inserting only under the index's exclusive lock, which a search excludes, so
  // the answer holds for a whole search.
  bool all_live() const noexcept { return unready_.load(std::memory_order_acquire) == 0; }
  bool live(std::uint32_t id) const noexcept { return id < state_.size() && state(id) == kLive; }

  // Quantizer: trained on the first add unless train() was called; retrained from the stored
  // floats while the index is small relative to the data it was trained on.
  bool needs_training() const noexcept { return quantized() && !quant_.trained(); }
  void train(const float* prepared, std::size_t n);
  // True if the quantizer should be refit now that `live` rows exist (float rows kept only).
  bool should_retrain(std::size_t live) const noexcept;
  void retrain_from_rows();

  // Normalises (cosine) into out and returns the norm of the original vector.
  float prepare(const float* v, float* out) const noexcept;
  // Stores a prepared vector and its original norm in slot id (codes included).
  void put(std::uint32_t id, const float* prepared, float norm) noexcept;
  // The original vector (de-normalised for cosine; dequantised if no floats are kept).
  void get(std::uint32_t id, float* out) const noexcept;

  const float* row(std::uint32_t id) const noexcept { return floats_.data() + std::size_t{id} * dim_; }
  const std::int8_t* code(std::uint32_t id) const noexcept { return int8_.data() + std::size_t{id} * dim_; }
  const std::uint8_t* int4_code(std::uint32_t id) const noexcept {
    return int4_.data() + std::size_t{id} * int4_bytes_;
  }
  const std::uint8_t* fine_code(std::uint32_t id) const noexcept {
    return fine_.data() + std::size_t{id} * fine_bytes_;
  }
  const std::uint8_t* bits(std::uint32_t id) const noexcept { return bits_.data() + std::size_t{id} * bit_bytes_; }
  float norm(std::uint32_t id) const noexcept { return norms_[id]; }

  Query prepare_query(const float* prepared) const;
  // A query that is stored row id, for dist_best_ids only (graph building compares stored
  // rows): without float32 rows its decoded code (int8, or 4-bit + 3-bit) goes to scratch (dim
  // floats), which must outlive the query.
  Query row_query(std::uint32_t id, float* scratch) const;
  // Distances (lower is better) of q to one id with each representation.
  // (Inline: graph traversal calls these once per visited node.)
  float dist_float(const Query& q, std::uint32_t id) const noexcept {
    if (metric_ == Metric::l2) return kernels_->l2sq_f32(q.v, row(id), dim_);
    return -kernels_->dot_f32(q.v, row(id), dim_);
  }
  float dist_int8(const Query& q, std::uint32_t id) const noexcept {
    const float dot = q.i8.dot(kernels_->dot_i8_sym(q.i8.code.data(), code(id), dim_));
    if (metric_ == Metric::l2) return q.qq + norms_[id] * norms_[id] - 2.f * dot;
    return -dot;
  }
  float dist_binary(const Query& q, std::uint32_t id) const noexcept {
    return static_cast<float>(kernels_->hamming(q.bits.data(), bits(id), bit_bytes_));
  }
  // Distances (lower is better) of q to ids[0, n) into out: one kernel call per batch, which
  // prefetches the rows as it goes. Coarse: the code traversal uses; best: the finest kept
  // (float32, else 4-bit + 3-bit refinement for int4, else int8).
  void dist_coarse_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  void dist_best_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  // How far below its coarse distance a row's finest distance to q may plausibly lie: a few
  // standard deviations of their difference for int4 codes rescored with their 3-bit
  // refinements, zero where the coarse code is the finest kept (int8 without float32 rows),
  // infinity elsewhere (float32 rescoring, binary codes). Rescoring candidates in coarse order
  // can stop at one whose coarse distance minus this margin is past the k-th best.
  float coarse_margin(const Query& q) const noexcept;

  // Graph building. Its beams search on a code that ranks well and is coarser than the finest
  // one kept (4-bit, else int8: 4-8x fewer bytes per distance than float32); what they find is
  // rescored with the finest code before the lists are chosen, so lists are chosen on the same
  // distances as without codes. A store with float32 rows and neither code (float32, binary)
  // gets 4-bit build codes of every stored row for one large insert (make_build_codes, under
  // the index's exclusive lock; +12.5% memory at d = 384 while they live) and drops them after
  // it. Binary codes rank too coarsely to find the candidates.
  bool wants_build_codes() const noexcept { return has_floats_ && !has_int8_ && !has_int4_; }
  bool make_build_codes();  // true if it made them (rows stored and the store wants them)
  void drop_build_codes() noexcept;
  bool builds_on_codes() const noexcept { return has_int4_ || build_codes_ || (has_int8_ && has_floats_); }
  Query prepare_build_query(const float* prepared) const;
  void dist_build_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;

  float to_score(float dist) const noexcept { return metric_ == Metric::l2 ? dist : -dist; }

  // Renumbering in two steps, so that nothing changes unless every copy could be made:
  // permuted() copies every slot's row, codes, norm and state to slot new_of_old[slot] (a
  // permutation of the slots; may throw bad_alloc), adopt() swaps the copies in. The caller
  // holds the index's exclusive lock.
  struct Permuted {
    Buffer<std::uint8_t> state, bits, int4, fine;
    Buffer<float> norms, floats;
    Buffer<std::int8_t> int8;
  };
  Permuted permuted(const std::vector<std::uint32_t>& new_of_old) const;
  void adopt(Permuted&& rows) noexcept;

  std::size_t memory_bytes() const noexcept;
  void write(SectionWriter& out) const;
  void read(const SectionReader& in, std::size_t slots);

  const simd::Kernels& kernels() const noexcept { return *kernels_; }

 private:
  void dist_float_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  void dist_int8_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  void dist_binary_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  void dist_int4_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  void dist_fine_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept;
  // A stored row without float32 rows, decoded from its finest code.
  void decode(std::uint32_t id, float* out) const noexcept;
  double int4_clip() const noexcept { return has_fine_ ? 1e-4 : 1e-3; }
  // Distances from a code's integer dots (scaled by w; l2 adds the norms), dots_of(ids, m,
  // dots) filling them a chunk at a time.
  template <class DotKernel>
  void dists_from_dots(const Query& q, const CodedWeights& w, const std::uint32_t* ids, std::size_t n, float* out,
                       DotKernel&& dots_of) const noexcept;
  // Ids of every slot that holds a row (live, being inserted, or deleted but still linked).
  std::vector<std::uint32_t> stored_ids() const;
  // An even sample of the float32 rows of ids, for training quantizers.
  std::vector<float> training_sample(const std::vector<std::uint32_t>& ids) const;
  // The weights of q for each integer code the store holds.
  void code_query(Query& q) const;
  static bool unready(std::uint8_t s) noexcept { return s == kDeleted || s == kInserting; }
  // Writes the codes of one prepared row into slot id.
  void encode_codes(std::uint32_t id, const float* prepared) noexcept;

  std::size_t dim_;
  Metric metric_;
  Quantization quantization_;
  bool has_floats_, has_int8_, has_binary_, has_int4_;
  bool has_fine_;             // 3-bit refinements of the 4-bit codes (int4 without float32 rows)
  bool build_codes_ = false;  // int4_ holds transient build codes (float32-only store)
  std::size_t bit_bytes_, int4_bytes_, fine_bytes_;
  std::size_t trained_on_ = 0;
  std::atomic<std::ptrdiff_t> unready_{0};  // slots deleted or inserting
  const simd::Kernels* kernels_;
  Int8Quantizer quant_;
  Int4Quantizer quant4_;
  Buffer<std::uint8_t> state_;
  Buffer<float> floats_;
  Buffer<float> norms_;
  Buffer<std::int8_t> int8_;
  Buffer<std::uint8_t> bits_;
  Buffer<std::uint8_t> int4_;
  Buffer<std::uint8_t> fine_;
};

}  // namespace ragkernel::vector::detail

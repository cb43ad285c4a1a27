#include "vector/store.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ragkernel/error.hpp"

namespace ragkernel::vector::detail {
namespace {

constexpr std::size_t kRetrainFactor = 4;          // refit when the data grew this much
constexpr std::size_t kMaxTrainingRows = 1 << 16;  // beyond this, ranges are stable

}  // namespace

void Int8Quantizer::train(const float* rows, std::size_t n, std::size_t dim) {
  std::vector<float> lo(dim, INFINITY), hi(dim, -INFINITY), sum(dim, 0.f);
  for (std::size_t r = 0; r < n; ++r) {
    const float* x = rows + r * dim;
    for (std::size_t j = 0; j < dim; ++j) {
      lo[j] = std::min(lo[j], x[j]);
      hi[j] = std::max(hi[j], x[j]);
      sum[j] += x[j];
    }
  }
  offset.assign(dim, 0.f);
  scale.assign(dim, 0.f);
  mean.assign(dim, 0.f);
  for (std::size_t j = 0; j < dim; ++j) {
    // A margin for later vectors that fall outside the training range (they are clamped),
    // and a floor so a constant dimension still codes.
    const float span = std::max(hi[j] - lo[j], 1e-6f) * 1.1f;
    offset[j] = 0.5f * (hi[j] + lo[j]);
    scale[j] = span / 254.f;
    mean[j] = sum[j] / static_cast<float>(n);
  }
}

void Int8Quantizer::encode(const float* x, std::size_t dim, std::int8_t* code) const noexcept {
  for (std::size_t j = 0; j < dim; ++j) {
    const float c = std::nearbyint((x[j] - offset[j]) / scale[j]);
    code[j] = static_cast<std::int8_t>(std::clamp(c, -127.f, 127.f));
  }
}

void Int8Quantizer::decode(const std::int8_t* code, std::size_t dim, float* x) const noexcept {
  for (std::size_t j = 0; j < dim; ++j) x[j] = offset[j] + scale[j] * static_cast<float>(code[j]);
}

void Int8Quantizer::encode_bits(const float* x, std::size_t dim, std::uint8_t* bits) const noexcept {
  std::memset(bits, 0, (dim + 7) / 8);
  for (std::size_t j = 0; j < dim; ++j) {
    if (x[j] > mean[j]) bits[j >> 3] = static_cast<std::uint8_t>(bits[j >> 3] | (1u << (j & 7)));
  }
}

void Int4Quantizer::train(const float* rows, std::size_t n, std::size_t dim, double clip) {
  // Quantiles, not extremes: a few outlying values per dimension would otherwise stretch the
  // 16 levels over a range most rows never use (recall@10 of a 4-bit scan on clustered 384-d
  // rows: 0.87 with min-max ranges, 0.90 with 0.1% quantiles). With a 3-bit refinement the
  // clamped tails cost more than the wider steps: a 7-bit scan of 200k rows reached 0.985 with
  // 0.01% quantiles and 0.978 with 0.1%.
  low.assign(dim, 0.f);
  step.assign(dim, 0.f);
  const auto lo_rank = static_cast<std::size_t>(static_cast<double>(n - 1) * clip);
  const std::size_t hi_rank = n - 1 - lo_rank;
  std::vector<float> column(n);
  for (std::size_t j = 0; j < dim; ++j) {
    for (std::size_t r = 0; r < n; ++r) column[r] = rows[r * dim + j];
    std::nth_element(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(lo_rank), column.end());
    const float lo = column[lo_rank];
    std::nth_element(column.begin(), column.begin() + static_cast<std::ptrdiff_t>(hi_rank), column.end());
    const float hi = column[hi_rank];
    low[j] = lo;
    step[j] = std::max(hi - lo, 1e-6f) / 15.f;
  }
}

void Int4Quantizer::encode(const float* x, std::size_t dim, std::uint8_t* code) const noexcept {
  std::memset(code, 0, simd::u4_code_bytes(dim));
  for (std::size_t j = 0; j < dim; ++j) {
    const float c = std::clamp(std::nearbyint((x[j] - low[j]) / step[j]), 0.f, 15.f);
    code[simd::u4_byte(j)] =
        static_cast<std::uint8_t>(code[simd::u4_byte(j)] | (static_cast<unsigned>(c) << simd::u4_shift(j)));
  }
}

void Int4Quantizer::encode_fine(const float* x, std::size_t dim, std::uint8_t* code,
                                std::uint8_t* fine) const noexcept {
  encode(x, dim, code);
  std::memset(fine, 0, simd::u3_code_bytes(dim));
  for (std::size_t j = 0; j < dim; ++j) {
    const unsigned c = (code[simd::u4_byte(j)] >> simd::u4_shift(j)) & 0x0F;
    const float residual = (x[j] - low[j]) / step[j] - static_cast<float>(c);  // in [-0.5, 0.5] unless clamped
    const auto f = static_cast<unsigned>(std::clamp(std::floor((residual + 0.5f) * 8.f), 0.f, 7.f));
    fine[simd::u3_high_byte(j)] =
        static_cast<std::uint8_t>(fine[simd::u3_high_byte(j)] | ((f >> 1) << simd::u3_high_shift(j)));
    fine[simd::u3_low_byte(dim, j)] =
        static_cast<std::uint8_t>(fine[simd::u3_low_byte(dim, j)] | ((f & 1u) << simd::u3_low_shift(j)));
  }
}

void Int4Quantizer::decode_fine(const std::uint8_t* code, const std::uint8_t* fine, std::size_t dim,
                                float* x) const noexcept {
  // Graph building decodes a row per kept neighbour: whole 128-dimension spans are unpacked
  // block by block (loops the compiler vectorises), a partial last span one dimension at a time.
  std::uint8_t c[128], f[128];
  for (std::size_t base = 0; base < dim; base += 128) {
    const std::size_t n = std::min<std::size_t>(128, dim - base);
    if (n == 128) {
      for (std::size_t half = 0; half < 128; half += 64) {
        const std::uint8_t* nibbles = code + simd::u4_byte(base + half);
        const std::uint8_t* high = fine + simd::u3_high_byte(base + half);
        for (std::size_t t = 0; t < 32; ++t) {
          c[half + t] = nibbles[t] & 0x0F;
          c[half + 32 + t] = static_cast<std::uint8_t>(nibbles[t] >> 4);
        }
        for (unsigned g = 0; g < 4; ++g) {
          for (std::size_t t = 0; t < 16; ++t)
            f[half + 16 * g + t] = static_cast<std::uint8_t>(((high[t] >> (2 * g)) & 3u) << 1);
        }
      }
      const std::uint8_t* low_bits = fine + simd::u3_low_byte(dim, base);
      for (unsigned g = 0; g < 8; ++g) {
        for (std::size_t t = 0; t < 16; ++t)
          f[16 * g + t] = static_cast<std::uint8_t>(f[16 * g + t] | ((low_bits[t] >> g) & 1u));
      }
    } else {
      for (std::size_t t = 0; t < n; ++t) {
        const std::size_t j = base + t;
        c[t] = (code[simd::u4_byte(j)] >> simd::u4_shift(j)) & 0x0F;
        f[t] = static_cast<std::uint8_t>((((fine[simd::u3_high_byte(j)] >> simd::u3_high_shift(j)) & 3u) << 1) |
                                         ((fine[simd::u3_low_byte(dim, j)] >> simd::u3_low_shift(j)) & 1u));
      }
    }
    for (std::size_t t = 0; t < n; ++t) {
      const std::size_t j = base + t;
      x[j] = low[j] + step[j] * (static_cast<float>(c[t]) + (static_cast<float>(f[t]) + 0.5f) / 8.f - 0.5f);
    }
  }
}

VectorStore::VectorStore(const IndexOptions& o)
    : dim_(o.dim),
      metric_(o.metric),
      quantization_(o.quantization),
      has_floats_(o.keep_float || o.quantization == Quantization::none),
      has_int8_(o.quantization == Quantization::int8 || (o.quantization == Quantization::binary && !o.keep_float)),
      has_binary_(o.quantization == Quantization::binary),
      has_int4_(o.quantization == Quantization::int4),
      has_fine_(o.quantization == Quantization::int4 && !o.keep_float),
      bit_bytes_((o.dim + 7) / 8),
      int4_bytes_(simd::u4_code_bytes(o.dim)),
      fine_bytes_(simd::u3_code_bytes(o.dim)),
      kernels_(&simd::active()) {}

void VectorStore::grow(std::size_t slots) {
  if (slots <= state_.size()) return;
  state_.resize(slots, kFree);
  norms_.resize(slots, 0.f);
  if (has_floats_) floats_.resize(slots * dim_, 0.f);
  if (has_int8_) int8_.resize(slots * dim_, 0);
  if (has_binary_) bits_.resize(slots * bit_bytes_, 0);
  if (has_int4_) int4_.resize(slots * int4_bytes_, 0);
  if (has_fine_) fine_.resize(slots * fine_bytes_, 0);
}

void VectorStore::train(const float* prepared, std::size_t n) {
  if (!quantized() || n == 0) return;
  quant_.train(prepared, n, dim_);
  if (has_int4_) quant4_.train(prepared, n, dim_, int4_clip());
  trained_on_ = n;
}

bool VectorStore::should_retrain(std::size_t live) const noexcept {
  return quantized() && has_floats_ && quant_.trained() && trained_on_ < kMaxTrainingRows &&
         live >= kRetrainFactor * trained_on_;
}

std::vector<std::uint32_t> VectorStore::stored_ids() const {
  std::vector<std::uint32_t> ids;
  for (std::uint32_t id = 0; id < state_.size(); ++id) {
    if (state_[id] != kFree) ids.push_back(id);
  }
  return ids;
}

std::vector<float> VectorStore::training_sample(const std::vector<std::uint32_t>& ids) const {
  // An even sample of the rows, at most kMaxTrainingRows.
  const std::size_t take = std::min(ids.size(), kMaxTrainingRows);
  std::vector<float> sample(take * dim_);
  for (std::size_t i = 0; i < take; ++i) {
    std::memcpy(sample.data() + i * dim_, row(ids[i * ids.size() / take]), dim_ * sizeof(float));
  }
  return sample;
}

void VectorStore::retrain_from_rows() {
  const std::vector<std::uint32_t> ids = stored_ids();
  const std::vector<float> sample = training_sample(ids);
  const std::size_t take = sample.size() / dim_;
  quant_.train(sample.data(), take, dim_);
  if (has_int4_) quant4_.train(sample.data(), take, dim_, int4_clip());
  trained_on_ = ids.size();
  for (std::uint32_t id : ids) encode_codes(id, row(id));
}

void VectorStore::encode_codes(std::uint32_t id, const float* prepared) noexcept {
  if (has_int8_) quant_.encode(prepared, dim_, int8_.data() + std::size_t{id} * dim_);
  if (has_binary_) quant_.encode_bits(prepared, dim_, bits_.data() + std::size_t{id} * bit_bytes_);
  if (has_fine_) {
    quant4_.encode_fine(prepared, dim_, int4_.data() + std::size_t{id} * int4_bytes_,
                        fine_.data() + std::size_t{id} * fine_bytes_);
  } else if (has_int4_) {
    quant4_.encode(prepared, dim_, int4_.data() + std::size_t{id} * int4_bytes_);
  }
}

void VectorStore::decode(std::uint32_t id, float* out) const noexcept {
  if (has_fine_) {
    quant4_.decode_fine(int4_code(id), fine_code(id), dim_, out);
  } else {
    quant_.decode(code(id), dim_, out);
  }
}

float VectorStore::prepare(const float* v, float* out) const noexcept {
  // The SIMD kernel sums in float; values whose squares overflow or underflow float (beyond
  // about 1e19 or below 1e-19) take the double loop instead.
  const float fast = kernels_->dot_f32(v, v, dim_);
  float norm = std::sqrt(fast);
  if (!std::isnormal(fast)) {
    double ss = 0.0;
    for (std::size_t j = 0; j < dim_; ++j) ss += double{v[j]} * double{v[j]};
    norm = static_cast<float>(std::sqrt(ss));
  }
  if (metric_ == Metric::cosine && norm > 0.f) {
    const float inv = 1.f / norm;
    for (std::size_t j = 0; j < dim_; ++j) out[j] = v[j] * inv;
  } else {
    std::memcpy(out, v, dim_ * sizeof(float));
  }
  return norm;
}

void VectorStore::put(std::uint32_t id, const float* prepared, float norm) noexcept {
  norms_[id] = norm;
  if (has_floats_) std::memcpy(floats_.data() + std::size_t{id} * dim_, prepared, dim_ * sizeof(float));
  encode_codes(id, prepared);
}

void VectorStore::get(std::uint32_t id, float* out) const noexcept {
  if (has_floats_) {
    std::memcpy(out, row(id), dim_ * sizeof(float));
  } else {
    decode(id, out);
  }
  if (metric_ == Metric::cosine) {
    // Stored rows are unit length (dequantised ones nearly so): scale back to the original.
    double ss = 0.0;
    for (std::size_t j = 0; j < dim_; ++j) ss += double{out[j]} * double{out[j]};
    const float f = ss > 0.0 ? norms_[id] / static_cast<float>(std::sqrt(ss)) : 0.f;
    for (std::size_t j = 0; j < dim_; ++j) out[j] *= f;
  }
}

namespace {

// sum a_j b_j in double, in four independent sums (one chained sum of 384 products took longer
// than the rest of preparing a query).
double dot_double(const float* a, const float* b, std::size_t n) noexcept {
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    for (std::size_t l = 0; l < 4; ++l) s[l] += double{a[j + l]} * double{b[j + l]};
  }
  for (; j < n; ++j) s[0] += double{a[j]} * double{b[j]};
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// dot(v, x) ~ sum v_j offset_j + sum (v_j scale_j) c_j for codes c on the grid offset + scale * c:
// the weights v_j scale_j are coded in int8 once per query, so the integer kernels do the work.
// Shared by the int8 and the 4-bit codes.
CodedWeights code_weights(const float* v, const std::vector<float>& offset, const std::vector<float>& scale) {
  const std::size_t dim = offset.size();
  std::vector<float> w(dim);
  float amax = 0.f;
  for (std::size_t j = 0; j < dim; ++j) {
    w[j] = v[j] * scale[j];
    amax = std::max(amax, std::fabs(w[j]));
  }
  CodedWeights out;
  out.step = amax > 0.f ? amax / 127.f : 1.f;
  out.offset_dot = static_cast<float>(dot_double(v, offset.data(), dim));
  out.code.resize(dim);
  // Round to nearest even by adding and removing 1.5 * 2^23 (exact for |v| < 2^22): the same
  // result as nearbyint, without a libm call per weight (graph building prepares a query per
  // kept neighbour).
  const float inv = 1.f / out.step;
  for (std::size_t j = 0; j < dim; ++j) {
    const float scaled = std::clamp(w[j] * inv, -127.f, 127.f);
    out.code[j] = static_cast<std::int8_t>((scaled + 12582912.f) - 12582912.f);
  }
  return out;
}

}  // namespace

Query VectorStore::row_query(std::uint32_t id, float* scratch) const {
  Query q;
  if (has_floats_) {
    q.v = row(id);
  } else {
    // The decoded row, renormalised for cosine (the stored row was unit length).
    decode(id, scratch);
    if (metric_ == Metric::cosine) {
      const float ss = kernels_->dot_f32(scratch, scratch, dim_);
      const float inv = ss > 0.f ? 1.f / std::sqrt(ss) : 0.f;
      for (std::size_t j = 0; j < dim_; ++j) scratch[j] *= inv;
    }
    q.v = scratch;
  }
  if (!has_floats_) {  // float32 distances need neither |v|^2 nor codes
    q.qq = kernels_->dot_f32(q.v, q.v, dim_);
    code_query(q);
  }
  return q;
}

Query VectorStore::prepare_query(const float* prepared) const {
  Query q;
  q.v = prepared;
  q.qq = kernels_->dot_f32(prepared, prepared, dim_);
  code_query(q);
  if (has_binary_) {
    q.bits.resize(bit_bytes_);
    quant_.encode_bits(prepared, dim_, q.bits.data());
  }
  return q;
}

void VectorStore::code_query(Query& q) const {
  if (has_int8_) q.i8 = code_weights(q.v, quant_.offset, quant_.scale);
  if (!has_int4_) return;
  q.i4 = code_weights(q.v, quant4_.low, quant4_.step);
  if (!has_fine_) return;
  // The 7-bit grid is low + step / 8 * (8 c + f) + step * (1/16 - 1/2): the same weights, an
  // eighth of the step, and the constant term folded into the offset.
  const double shift = dot_double(q.v, quant4_.step.data(), dim_);
  q.fine.step = q.i4.step / 8.f;
  q.fine.offset_dot = q.i4.offset_dot + static_cast<float>(shift * (1.0 / 16.0 - 0.5));
}

void VectorStore::dist_float_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  if (metric_ == Metric::l2) {
    kernels_->l2sq_f32_ids(q.v, floats_.data(), dim_, ids, n, dim_, out);
    return;
  }
  kernels_->dot_f32_ids(q.v, floats_.data(), dim_, ids, n, dim_, out);
  for (std::size_t i = 0; i < n; ++i) out[i] = -out[i];
}

template <class DotKernel>
void VectorStore::dists_from_dots(const Query& q, const CodedWeights& w, const std::uint32_t* ids, std::size_t n,
                                  float* out, DotKernel&& dots_of) const noexcept {
  constexpr std::size_t kChunk = 256;
  std::int32_t dots[kChunk];
  for (std::size_t at = 0; at < n; at += kChunk) {
    const std::size_t m = std::min(kChunk, n - at);
    dots_of(ids + at, m, dots);
    if (metric_ != Metric::l2) {  // norms are read only for l2: each is another row's cache miss
      for (std::size_t i = 0; i < m; ++i) out[at + i] = -w.dot(dots[i]);
      continue;
    }
    for (std::size_t i = 0; i < m; ++i) {
      const float nn = norms_[ids[at + i]];
      out[at + i] = q.qq + nn * nn - 2.f * w.dot(dots[i]);
    }
  }
}

void VectorStore::dist_int8_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  dists_from_dots(q, q.i8, ids, n, out, [&](const std::uint32_t* part, std::size_t m, std::int32_t* dots) {
    kernels_->dot_i8_sym_ids(q.i8.code.data(), int8_.data(), dim_, part, m, dim_, dots);
  });
}

void VectorStore::dist_binary_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  constexpr std::size_t kChunk = 256;
  std::uint32_t bits[kChunk];
  for (std::size_t at = 0; at < n; at += kChunk) {
    const std::size_t m = std::min(kChunk, n - at);
    kernels_->hamming_ids(q.bits.data(), bits_.data(), bit_bytes_, ids + at, m, bit_bytes_, bits);
    for (std::size_t i = 0; i < m; ++i) out[at + i] = static_cast<float>(bits[i]);
  }
}

void VectorStore::dist_int4_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  dists_from_dots(q, q.i4, ids, n, out, [&](const std::uint32_t* part, std::size_t m, std::int32_t* dots) {
    kernels_->dot_u4_ids(q.i4.code.data(), int4_.data(), int4_bytes_, part, m, dim_, dots);
  });
}

void VectorStore::dist_fine_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  dists_from_dots(q, q.fine, ids, n, out, [&](const std::uint32_t* part, std::size_t m, std::int32_t* dots) {
    // Rescoring a few candidates: every row's codes are requested before the first is scored.
    // (Decoding each row and scoring it with the float32 query reached the same recall on 200k
    // rows, 30% slower: the 7-bit codes, not the int8 weights, are what limit it.)
    for (std::size_t i = 0; i < m; ++i) {
      __builtin_prefetch(int4_code(part[i]), 0, 3);
      for (std::size_t off = 0; off < fine_bytes_; off += 64) __builtin_prefetch(fine_code(part[i]) + off, 0, 3);
    }
    const std::int8_t* w = q.i4.code.data();
    for (std::size_t i = 0; i < m; ++i) {
      dots[i] = 8 * kernels_->dot_u4(w, int4_code(part[i]), dim_) + kernels_->dot_u3(w, fine_code(part[i]), dim_);
    }
  });
}

void VectorStore::dist_coarse_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  switch (quantization_) {
    case Quantization::int8: return dist_int8_ids(q, ids, n, out);
    case Quantization::binary: return dist_binary_ids(q, ids, n, out);
    case Quantization::int4: return dist_int4_ids(q, ids, n, out);
    default: return dist_float_ids(q, ids, n, out);
  }
}

void VectorStore::dist_best_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  if (has_floats_) return dist_float_ids(q, ids, n, out);
  if (has_fine_) return dist_fine_ids(q, ids, n, out);
  dist_int8_ids(q, ids, n, out);
}

float VectorStore::coarse_margin(const Query& q) const noexcept {
  // Only where the finest distance differs from the coarse one by a bounded amount per
  // dimension: int8 codes without float32 rows rescore with the same codes (margin 0); int4
  // codes without float32 rows rescore with 3-bit refinements, which move each value by at most
  // 7/16 of its step, spread evenly over eight cell centres (variance 63/768 of a step squared)
  // and independently across dimensions, so the distance difference is close to normal with
  // variance sum((v_j * step_j)^2) * 63/768; kMarginSigmas standard deviations of it leave odds
  // below 1e-5 per candidate (on 1M rows, rescoring stopped this way returned the same recall).
  // Against float32 rows there is no such bound: values beyond a code's trained range are
  // clamped, and their error can be many steps (on heavy-tailed rows a margin of 5 deviations
  // lost 0.025 of recall@10), so every candidate is rescored.
  constexpr double kMarginSigmas = 5.0;
  constexpr float kUnknown = std::numeric_limits<float>::infinity();
  if (has_floats_) return kUnknown;
  if (quantization_ == Quantization::int8) return 0.f;  // rescoring reads the same int8 codes
  if (!has_fine_ || quant4_.step.size() != dim_) return kUnknown;
  double sum = 0;
  for (std::size_t j = 0; j < dim_; ++j) {
    const double w = double{q.v[j]} * quant4_.step[j];
    sum += w * w;
  }
  const double sigma = std::sqrt(63.0 / 768.0 * sum) * (metric_ == Metric::l2 ? 2.0 : 1.0);
  return static_cast<float>(kMarginSigmas * sigma);
}

bool VectorStore::make_build_codes() {
  if (!wants_build_codes()) return false;
  const std::vector<std::uint32_t> ids = stored_ids();
  if (ids.empty()) return false;
  const std::vector<float> sample = training_sample(ids);
  quant4_.train(sample.data(), sample.size() / dim_, dim_, int4_clip());
  int4_.resize(state_.size() * int4_bytes_, 0);
  const auto n = static_cast<std::int64_t>(ids.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t id = ids[static_cast<std::size_t>(i)];
    quant4_.encode(row(id), dim_, int4_.data() + std::size_t{id} * int4_bytes_);
  }
  build_codes_ = true;
  return true;
}

void VectorStore::drop_build_codes() noexcept {
  if (!build_codes_) return;
  int4_.release();
  quant4_.low.clear();
  quant4_.low.shrink_to_fit();
  quant4_.step.clear();
  quant4_.step.shrink_to_fit();
  build_codes_ = false;
}

Query VectorStore::prepare_build_query(const float* prepared) const {
  Query q = prepare_query(prepared);
  if (build_codes_) q.i4 = code_weights(prepared, quant4_.low, quant4_.step);
  return q;
}

void VectorStore::dist_build_ids(const Query& q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
  if (has_int4_ || build_codes_) return dist_int4_ids(q, ids, n, out);
  if (has_int8_) return dist_int8_ids(q, ids, n, out);
  dist_float_ids(q, ids, n, out);
}

VectorStore::Permuted VectorStore::permuted(const std::vector<std::uint32_t>& new_of_old) const {
  return {state_.permuted(1, new_of_old),          bits_.permuted(bit_bytes_, new_of_old),
          int4_.permuted(int4_bytes_, new_of_old), fine_.permuted(fine_bytes_, new_of_old),
          norms_.permuted(1, new_of_old),          floats_.permuted(dim_, new_of_old),
          int8_.permuted(dim_, new_of_old)};
}

void VectorStore::adopt(Permuted&& rows) noexcept {
  state_ = std::move(rows.state);
  bits_ = std::move(rows.bits);
  int4_ = std::move(rows.int4);
  fine_ = std::move(rows.fine);
  norms_ = std::move(rows.norms);
  floats_ = std::move(rows.floats);
  int8_ = std::move(rows.int8);
}

std::size_t VectorStore::memory_bytes() const noexcept {
  return state_.bytes() + floats_.bytes() + norms_.bytes() + int8_.bytes() + bits_.bytes() + int4_.bytes() +
         fine_.bytes() + (3 * quant_.offset.size() + 2 * quant4_.low.size()) * sizeof(float);
}

void VectorStore::write(SectionWriter& out) const {
  const std::size_t n = state_.size();
  out.section(kTagState, state_.data(), n);
  out.section(kTagNorms, norms_.data(), n);
  if (has_floats_) out.section(kTagFloats, floats_.data(), n * dim_);
  if (has_int8_) out.section(kTagInt8Codes, int8_.data(), n * dim_);
  if (has_binary_) out.section(kTagBinaryCodes, bits_.data(), n * bit_bytes_);
  if (has_int4_) out.section(kTagInt4Codes, int4_.data(), n * int4_bytes_);
  if (has_fine_) out.section(kTagInt4Fine, fine_.data(), n * fine_bytes_);
  if (has_int4_ && quant_.trained()) {
    std::vector<float> params(quant4_.low);
    params.insert(params.end(), quant4_.step.begin(), quant4_.step.end());
    out.section(kTagInt4Params, params.data(), params.size());
  }
  if (quant_.trained()) {
    std::vector<float> params;
    params.insert(params.end(), quant_.offset.begin(), quant_.offset.end());
    params.insert(params.end(), quant_.scale.begin(), quant_.scale.end());
    params.insert(params.end(), quant_.mean.begin(), quant_.mean.end());
    out.section(kTagInt8Params, params.data(), params.size());
    const std::uint64_t meta = trained_on_;
    out.section(kTagQuantMeta, &meta, 1);
  }
}

void VectorStore::read(const SectionReader& in, std::size_t n) {
  const auto& keep = in.keepalive();
  state_.view(keep, in.array<std::uint8_t>(kTagState, n), n);
  std::ptrdiff_t deleted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (state_[i] > kDeleted) throw Corruption("vector index file: invalid slot state");
    deleted += state_[i] == kDeleted ? 1 : 0;
  }
  unready_.store(deleted);
  norms_.view(keep, in.array<float>(kTagNorms, n), n);
  if (has_floats_) floats_.view(keep, in.array<float>(kTagFloats, n * dim_), n * dim_);
  if (has_int8_) int8_.view(keep, in.array<std::int8_t>(kTagInt8Codes, n * dim_), n * dim_);
  if (has_binary_) bits_.view(keep, in.array<std::uint8_t>(kTagBinaryCodes, n * bit_bytes_), n * bit_bytes_);
  if (has_int4_) int4_.view(keep, in.array<std::uint8_t>(kTagInt4Codes, n * int4_bytes_), n * int4_bytes_);
  if (has_fine_) {
    if (!in.has(kTagInt4Fine)) {
      throw Corruption(
          "vector index file: a 4-bit index without float32 rows from before 3-bit refinement codes (it rescored "
          "with int8 codes); rebuild it from the vectors");
    }
    fine_.view(keep, in.array<std::uint8_t>(kTagInt4Fine, n * fine_bytes_), n * fine_bytes_);
  }
  if (has_int4_ && in.has(kTagInt8Params)) {
    const float* p = in.array<float>(kTagInt4Params, 2 * dim_);
    quant4_.low.assign(p, p + dim_);
    quant4_.step.assign(p + dim_, p + 2 * dim_);
  }
  if (in.has(kTagInt8Params)) {
    const float* p = in.array<float>(kTagInt8Params, 3 * dim_);
    quant_.offset.assign(p, p + dim_);
    quant_.scale.assign(p + dim_, p + 2 * dim_);
    quant_.mean.assign(p + 2 * dim_, p + 3 * dim_);
    trained_on_ = *in.array<std::uint64_t>(kTagQuantMeta, 1);
  } else if (quantized() && n != 0) {
    bool any = false;
    for (std::size_t i = 0; i < n && !any; ++i) any = state_[i] != kFree;
    if (any) throw Corruption("vector index file: quantized index without quantizer parameters");
  }
}

}  // namespace ragkernel::vector::detail

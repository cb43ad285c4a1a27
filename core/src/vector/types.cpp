#include "ragkernel/vector/types.hpp"

#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::vector {

std::string_view to_string(Metric metric) noexcept {
  switch (metric) {
    case Metric::cosine: return "cosine";
    case Metric::ip: return "ip";
    case Metric::l2: return "l2";
  }
  return "unknown";
}

std::string_view to_string(Quantization quantization) noexcept {
  switch (quantization) {
    case Quantization::none: return "none";
    case Quantization::int8: return "int8";
    case Quantization::binary: return "binary";
    case Quantization::int4: return "int4";
  }
  return "unknown";
}

std::string_view to_string(IndexKind kind) noexcept {
  switch (kind) {
    case IndexKind::flat: return "flat";
    case IndexKind::hnsw: return "hnsw";
  }
  return "unknown";
}

Metric parse_metric(std::string_view name) {
  for (Metric m : {Metric::cosine, Metric::ip, Metric::l2}) {
    if (to_string(m) == name) return m;
  }
  throw InvalidArgument("unknown metric '" + std::string(name) + "'; expected one of: cosine, ip, l2");
}

Quantization parse_quantization(std::string_view name) {
  for (Quantization q : {Quantization::none, Quantization::int8, Quantization::binary, Quantization::int4}) {
    if (to_string(q) == name) return q;
  }
  throw InvalidArgument("unknown quantization '" + std::string(name) + "'; expected one of: none, int8, binary, int4");
}

IndexKind parse_kind(std::string_view name) {
  for (IndexKind k : {IndexKind::flat, IndexKind::hnsw}) {
    if (to_string(k) == name) return k;
  }
  throw InvalidArgument("unknown index kind '" + std::string(name) + "'; expected one of: flat, hnsw");
}

}  // namespace ragkernel::vector

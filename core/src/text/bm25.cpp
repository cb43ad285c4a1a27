#include "ragkernel/text/bm25.hpp"

#include <cmath>

#include "ragkernel/error.hpp"

namespace ragkernel::text {

void Bm25Params::validate() const {
  if (!std::isfinite(k1) || k1 < 0) throw InvalidArgument("k1 must be a finite number >= 0, got " + std::to_string(k1));
  if (!std::isfinite(b) || b < 0 || b > 1) throw InvalidArgument("b must be in [0, 1], got " + std::to_string(b));
  if (!std::isfinite(delta) || delta < 0) {
    throw InvalidArgument("delta must be a finite number >= 0, got " + std::to_string(delta));
  }
}

Bm25Variant parse_bm25_variant(std::string_view name) {
  if (name == "lucene") return Bm25Variant::kLucene;
  if (name == "robertson") return Bm25Variant::kRobertson;
  if (name == "atire") return Bm25Variant::kAtire;
  if (name == "bm25l") return Bm25Variant::kBm25L;
  if (name == "bm25+" || name == "bm25plus") return Bm25Variant::kBm25Plus;
  throw InvalidArgument("unknown BM25 variant '" + std::string(name) +
                        "'; expected one of: lucene, robertson, atire, bm25l, bm25+");
}

std::string_view to_string(Bm25Variant variant) noexcept {
  switch (variant) {
    case Bm25Variant::kLucene: return "lucene";
    case Bm25Variant::kRobertson: return "robertson";
    case Bm25Variant::kAtire: return "atire";
    case Bm25Variant::kBm25L: return "bm25l";
    case Bm25Variant::kBm25Plus: return "bm25+";
  }
  return "lucene";
}

}  // namespace ragkernel::text

#pragma once
// The metadata filter language users write for Chroma, Pinecone and LangChain:
//
//   {"year": {"$gte": 2020}, "lang": "en", "$or": [{"tag": {"$in": ["a", "b"]}}, ...]}
//
// Field operators: $eq $ne $gt $gte $lt $lte $in $nin $exists; logical: $and $or (lists of
// filters) and $not (one filter). A bare value means $eq; several keys in one object are
// combined with $and. parse_filter checks the syntax and throws InvalidArgument naming the
// operator, the field and what was expected; MetadataStore::match checks the value types
// against the stored fields and compiles the filter into an allow-set (Bitset).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ragkernel/filter/json.hpp"

namespace ragkernel::filter {

enum class Op { kEq, kNe, kGt, kGte, kLt, kLte, kIn, kNin, kExists, kAnd, kOr, kNot };

using Scalar = std::variant<bool, std::int64_t, double, std::string>;

struct Filter {
  Op op = Op::kAnd;
  std::string field;             // field operators only
  std::vector<Scalar> values;    // one for comparisons and $exists (a bool), any number for $in/$nin
  std::vector<Filter> children;  // $and, $or (any number), $not (one)
};

const char* op_name(Op op) noexcept;  // "$eq", ...

// Parses and validates; an empty object is a filter that matches everything.
Filter parse_filter(const Json& json);

}  // namespace ragkernel::filter

#include "ragkernel/filter/filter.hpp"

#include <optional>
#include <string_view>

#include "ragkernel/error.hpp"

namespace ragkernel::filter {
namespace {

constexpr std::string_view kFieldOps = "$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists";
constexpr std::string_view kLogicalOps = "$and, $or, $not";

std::optional<Op> field_op(std::string_view name) {
  if (name == "$eq") return Op::kEq;
  if (name == "$ne") return Op::kNe;
  if (name == "$gt") return Op::kGt;
  if (name == "$gte") return Op::kGte;
  if (name == "$lt") return Op::kLt;
  if (name == "$lte") return Op::kLte;
  if (name == "$in") return Op::kIn;
  if (name == "$nin") return Op::kNin;
  if (name == "$exists") return Op::kExists;
  return std::nullopt;
}

std::string where(const std::string& field, std::string_view op) {
  return "filter on field '" + field + "', operator " + std::string(op) + ": ";
}

Scalar to_scalar(const Json& j, const std::string& field, std::string_view op) {
  if (const bool* b = std::get_if<bool>(&j.value)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&j.value)) return *i;
  if (const double* d = std::get_if<double>(&j.value)) return *d;
  if (const auto* s = std::get_if<std::string>(&j.value)) return *s;
  throw InvalidArgument(where(field, op) + "expected a string, number or bool, got " + j.type_name() + " " +
                        j.describe());
}

Filter parse_field(const std::string& field, const Json& condition);

Filter parse_object(const JsonObject& object) {
  Filter all{Op::kAnd, {}, {}, {}};
  for (const auto& [key, value] : object) {
    if (key.empty()) throw InvalidArgument("filter has an empty field name");
    if (key[0] != '$') {
      all.children.push_back(parse_field(key, value));
      continue;
    }
    if (key == "$and" || key == "$or") {
      const auto* list = std::get_if<JsonArray>(&value.value);
      if (list == nullptr) {
        throw InvalidArgument("operator " + key + " expects a list of filters, got " + value.type_name() + " " +
                              value.describe());
      }
      Filter node{key == "$and" ? Op::kAnd : Op::kOr, {}, {}, {}};
      for (const Json& child : *list) {
        const auto* obj = std::get_if<JsonObject>(&child.value);
        if (obj == nullptr) {
          throw InvalidArgument("operator " + key + " expects a list of filters (dicts), got an element of type " +
                                child.type_name());
        }
        node.children.push_back(parse_object(*obj));
      }
      all.children.push_back(std::move(node));
    } else if (key == "$not") {
      const auto* obj = std::get_if<JsonObject>(&value.value);
      if (obj == nullptr) {
        throw InvalidArgument("operator $not expects a filter (dict), got " + std::string(value.type_name()) + " " +
                              value.describe());
      }
      all.children.push_back(Filter{Op::kNot, {}, {}, {parse_object(*obj)}});
    } else if (field_op(key)) {
      throw InvalidArgument("operator " + key + " must be applied to a field, as {\"field\": {\"" + key +
                            "\": value}}");
    } else {
      throw InvalidArgument("unknown filter operator '" + key + "'; expected a field name or one of " +
                            std::string(kLogicalOps));
    }
  }
  return all.children.size() == 1 ? std::move(all.children.front()) : all;
}

Filter parse_field(const std::string& field, const Json& condition) {
  const auto* ops = std::get_if<JsonObject>(&condition.value);
  if (ops == nullptr) {
    // A bare value: implicit $eq.
    return Filter{Op::kEq, field, {to_scalar(condition, field, "$eq")}, {}};
  }
  if (ops->empty()) throw InvalidArgument("filter on field '" + field + "' is an empty dict; expected an operator");
  Filter all{Op::kAnd, {}, {}, {}};
  for (const auto& [name, value] : *ops) {
    const std::optional<Op> op = field_op(name);
    if (!op) {
      throw InvalidArgument("filter on field '" + field + "': unknown operator '" + name + "'; expected one of " +
                            std::string(kFieldOps));
    }
    Filter leaf{*op, field, {}, {}};
    if (*op == Op::kIn || *op == Op::kNin) {
      const auto* list = std::get_if<JsonArray>(&value.value);
      if (list == nullptr) {
        throw InvalidArgument(where(field, name) + "expected a list of values, got " + value.type_name() + " " +
                              value.describe());
      }
      for (const Json& v : *list) leaf.values.push_back(to_scalar(v, field, name));
    } else if (*op == Op::kExists) {
      const bool* b = std::get_if<bool>(&value.value);
      if (b == nullptr) {
        throw InvalidArgument(where(field, name) + "expected True or False, got " + value.type_name() + " " +
                              value.describe());
      }
      leaf.values.emplace_back(*b);
    } else {
      leaf.values.push_back(to_scalar(value, field, name));
    }
    all.children.push_back(std::move(leaf));
  }
  return all.children.size() == 1 ? std::move(all.children.front()) : all;
}

}  // namespace

const char* op_name(Op op) noexcept {
  switch (op) {
    case Op::kEq: return "$eq";
    case Op::kNe: return "$ne";
    case Op::kGt: return "$gt";
    case Op::kGte: return "$gte";
    case Op::kLt: return "$lt";
    case Op::kLte: return "$lte";
    case Op::kIn: return "$in";
    case Op::kNin: return "$nin";
    case Op::kExists: return "$exists";
    case Op::kAnd: return "$and";
    case Op::kOr: return "$or";
    case Op::kNot: return "$not";
  }
  return "?";
}

Filter parse_filter(const Json& json) {
  const auto* obj = std::get_if<JsonObject>(&json.value);
  if (obj == nullptr) {
    throw InvalidArgument(std::string("a filter must be a dict, got ") + json.type_name() + " " + json.describe());
  }
  return parse_object(*obj);
}

}  // namespace ragkernel::filter

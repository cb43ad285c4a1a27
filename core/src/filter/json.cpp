#include "ragkernel/filter/json.hpp"

#include <sstream>

namespace ragkernel::filter {

const char* Json::type_name() const noexcept {
  switch (value.index()) {
    case 0: return "null";
    case 1: return "bool";
    case 2: return "int";
    case 3: return "float";
    case 4: return "string";
    case 5: return "list";
    default: return "object";
  }
}

std::string Json::describe() const {
  std::ostringstream out;
  if (std::holds_alternative<std::nullptr_t>(value)) {
    out << "None";
  } else if (const bool* b = std::get_if<bool>(&value)) {
    out << (*b ? "True" : "False");
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    out << *i;
  } else if (const double* d = std::get_if<double>(&value)) {
    out << *d;
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    out << '\'' << (s->size() > 40 ? s->substr(0, 40) + "..." : *s) << '\'';
  } else if (std::holds_alternative<JsonArray>(value)) {
    out << "a list";
  } else {
    out << "an object";
  }
  return out.str();
}

}  // namespace ragkernel::filter

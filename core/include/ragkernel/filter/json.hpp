#pragma once
// A JSON-shaped value: what a filter or a metadata record looks like before it is checked.
// The Python bindings convert dicts, lists and scalars into this tree and nothing more; all
// validation happens in the core.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ragkernel::filter {

struct Json;
using JsonArray = std::vector<Json>;
using JsonObject = std::vector<std::pair<std::string, Json>>;  // insertion order kept

struct Json {
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, JsonArray, JsonObject> value;

  // "null", "bool", "int", "float", "string", "list" or "object".
  const char* type_name() const noexcept;
  // A short rendering for error messages ("'x'", "2020", "[...]").
  std::string describe() const;
};

}  // namespace ragkernel::filter

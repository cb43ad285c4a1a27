#include "ragkernel/store/value.hpp"

namespace ragkernel::store {

const Value* Value::find(std::string_view key) const {
  if (kind() != Kind::object) return nullptr;
  for (const auto& [name, value] : as_object()) {
    if (name == key) return &value;
  }
  return nullptr;
}

}  // namespace ragkernel::store

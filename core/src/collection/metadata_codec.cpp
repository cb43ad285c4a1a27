#include "collection/metadata_codec.hpp"

#include <nlohmann/json.hpp>

#include "ragkernel/error.hpp"

namespace ragkernel::collection::detail {

std::string encode_metadata(const filter::Metadata& record) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [field, value] : record) {
    std::visit([&](const auto& v) { object[field] = v; }, value);
  }
  return object.dump();
}

filter::Metadata decode_metadata(std::string_view bytes, const std::string& where) {
  const auto parsed = nlohmann::ordered_json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) throw Corruption(where + ": stored metadata is not a JSON object");
  filter::Metadata out;
  out.reserve(parsed.size());
  for (const auto& [field, value] : parsed.items()) {
    if (value.is_boolean()) {
      out.emplace_back(field, value.get<bool>());
    } else if (value.is_number_integer()) {
      out.emplace_back(field, value.get<std::int64_t>());
    } else if (value.is_number_float()) {
      out.emplace_back(field, value.get<double>());
    } else if (value.is_string()) {
      out.emplace_back(field, value.get<std::string>());
    } else if (value.is_array() &&
               std::all_of(value.begin(), value.end(), [](const auto& e) { return e.is_string(); })) {
      out.emplace_back(field, value.get<std::vector<std::string>>());
    } else {
      throw Corruption(where + ": stored metadata field '" + field + "' has a type metadata cannot hold");
    }
  }
  return out;
}

}  // namespace ragkernel::collection::detail

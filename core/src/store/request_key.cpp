#include "ragkernel/store/request_key.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "ragkernel/error.hpp"
#include "store/encoding.hpp"
#include "store/sha256.hpp"

namespace ragkernel::store {

namespace {

// 2^63 as a double: the first value past the int64 range.
constexpr double kInt64Limit = 9223372036854775808.0;

std::string location(const std::string& path) { return path.empty() ? std::string("top level") : path; }

void encode(const Value& v, std::string& out, std::string& path) {
  switch (v.kind()) {
    case Value::Kind::null: out.push_back('n'); return;
    case Value::Kind::boolean: out.push_back(v.as_bool() ? 't' : 'f'); return;
    case Value::Kind::integer:
      out.push_back('i');
      detail::put_le<std::int64_t>(out, v.as_int());
      return;
    case Value::Kind::real: {
      const double d = v.as_double();
      if (!std::isfinite(d)) {
        throw InvalidArgument("request value at " + location(path) + " is " + (std::isnan(d) ? "NaN" : "infinite") +
                              "; expected a finite number");
      }
      if (d == std::trunc(d) && d >= -kInt64Limit && d < kInt64Limit) {
        out.push_back('i');  // 1.0 and 1 ask the same; also folds -0.0 into 0
        detail::put_le<std::int64_t>(out, static_cast<std::int64_t>(d));
      } else {
        out.push_back('d');
        detail::put_le<std::uint64_t>(out, std::bit_cast<std::uint64_t>(d));
      }
      return;
    }
    case Value::Kind::string:
      out.push_back('s');
      detail::put_bytes(out, v.as_string());
      return;
    case Value::Kind::array: {
      const auto& items = v.as_array();
      out.push_back('a');
      detail::put_varint(out, items.size());
      const std::size_t mark = path.size();
      for (std::size_t i = 0; i < items.size(); ++i) {
        path.push_back('[');
        path.append(std::to_string(i));
        path.push_back(']');
        encode(items[i], out, path);
        path.resize(mark);
      }
      return;
    }
    case Value::Kind::object: {
      std::vector<const std::pair<std::string, Value>*> members;
      for (const auto& member : v.as_object()) {
        if (!member.second.is_null()) members.push_back(&member);
      }
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->first < b->first; });
      for (std::size_t i = 1; i < members.size(); ++i) {
        if (members[i]->first == members[i - 1]->first) {
          throw InvalidArgument("request object at " + location(path) + " has the member '" + members[i]->first +
                                "' twice");
        }
      }
      out.push_back('o');
      detail::put_varint(out, members.size());
      const std::size_t mark = path.size();
      for (const auto* member : members) {
        detail::put_bytes(out, member->first);
        if (!path.empty()) path.push_back('.');
        path.append(member->first);
        encode(member->second, out, path);
        path.resize(mark);
      }
      return;
    }
  }
}

bool is_volatile(std::string_view name, std::span<const std::string> extra) {
  return std::find(kVolatileFields.begin(), kVolatileFields.end(), name) != kVolatileFields.end() ||
         std::find(extra.begin(), extra.end(), name) != extra.end();
}

// The request without its volatile top-level fields.
Value stable_part(const Value& request, std::span<const std::string> extra) {
  if (request.kind() != Value::Kind::object) {
    throw InvalidArgument("an LLM request must be an object (a dict with 'model', 'messages', ...)");
  }
  Value::Object kept;
  for (const auto& [name, value] : request.as_object()) {
    if (!is_volatile(name, extra)) kept.emplace_back(name, value);
  }
  return Value(std::move(kept));
}

RequestKey digest(std::string_view domain, std::string_view prefix, std::string_view body) {
  return detail::Sha256().update(domain).update(prefix).update(body).finish();
}

// The text of a message content: a string, or a list of text parts; nullopt for anything else.
std::optional<std::string> content_text(const Value& content) {
  if (content.kind() == Value::Kind::string) return content.as_string();
  if (content.kind() != Value::Kind::array || content.as_array().empty()) return std::nullopt;
  std::string text;
  for (const Value& part : content.as_array()) {
    const Value* type = part.find("type");
    const Value* part_text = part.find("text");
    if (!type || type->kind() != Value::Kind::string || type->as_string() != "text" || !part_text ||
        part_text->kind() != Value::Kind::string) {
      return std::nullopt;
    }
    if (!text.empty()) text.push_back('\n');
    text += part_text->as_string();
  }
  return text;
}

}  // namespace

std::string canonical_encoding(const Value& value) {
  std::string out, path;
  encode(value, out, path);
  return out;
}

RequestKey request_key(const Value& request, std::span<const std::string> extra_volatile) {
  return digest("ragkernel.llm.request.v1", {}, canonical_encoding(stable_part(request, extra_volatile)));
}

std::optional<SemanticRequest> semantic_request(const Value& request, std::string_view embedding_model,
                                                std::span<const std::string> extra_volatile) {
  Value rest = stable_part(request, extra_volatile);
  std::optional<std::string> text;
  for (auto& [name, value] : rest.as_object()) {
    if (name == "messages" && value.kind() == Value::Kind::array && !value.as_array().empty()) {
      Value& last = value.as_array().back();
      if (last.kind() != Value::Kind::object) return std::nullopt;
      for (auto& [field, content] : last.as_object()) {
        if (field != "content") continue;
        text = content_text(content);
        content = Value();  // null members are dropped by the encoding
      }
    } else if (name == "prompt" && value.kind() == Value::Kind::string) {
      text = value.as_string();
      value = Value();
    }
  }
  if (!text || text->empty()) return std::nullopt;
  std::string model_field;
  detail::put_bytes(model_field, embedding_model);
  return SemanticRequest{.partition = digest("ragkernel.llm.partition.v1", model_field, canonical_encoding(rest)),
                         .text = std::move(*text)};
}

std::string to_hex(const RequestKey& key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(key.size() * 2);
  for (const std::uint8_t b : key) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0xF]);
  }
  return hex;
}

}  // namespace ragkernel::store

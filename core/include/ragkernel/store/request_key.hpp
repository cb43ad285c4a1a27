#pragma once
// Exact keys for LLM requests: SHA-256 over a canonical, length-prefixed encoding.
//
// Canonical rules (equal keys exactly when the requests ask the model the same thing):
//  - object members are sorted by name; members whose value is null are dropped (an absent
//    parameter and an explicit None mean the same to every provider);
//  - a real number with an integral value is the integer (temperature 1 == 1.0); -0.0 is 0;
//    NaN and infinities are rejected (JSON cannot carry them);
//  - booleans are not numbers (true != 1); strings are compared byte for byte;
//  - every string and container is length-prefixed and type-tagged, so no two different
//    values encode alike (["ab","c"] != ["a","bc"]);
//  - top-level fields that do not change the answer are left out: credentials, endpoints,
//    timeouts, retries, streaming flags, request ids and user tags (kVolatileFields), plus any
//    the caller names.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ragkernel/store/value.hpp"

namespace ragkernel::store {

using RequestKey = std::array<std::uint8_t, 32>;

inline constexpr std::array<std::string_view, 19> kVolatileFields = {
    "api_key",     "api_base", "base_url",        "organization",    "project",     "headers",        "extra_headers",
    "extra_query", "timeout",  "request_timeout", "max_retries",     "stream",      "stream_options", "user",
    "metadata",    "store",    "request_id",      "idempotency_key", "service_tier"};

// The canonical bytes of a value (volatile fields are a request-level notion: not removed here).
std::string canonical_encoding(const Value& value);

// The key of a request (an object). extra_volatile: more top-level fields to leave out.
RequestKey request_key(const Value& request, std::span<const std::string> extra_volatile = {});

// What a semantic lookup compares: the text of the last message (or of `prompt`), and a
// partition key over everything else (model, parameters, tools, earlier messages) plus the
// embedding model, so only requests that differ in that text alone are ever compared.
struct SemanticRequest {
  RequestKey partition{};
  std::string text;
};
// nullopt when the request has no text to compare (the last message carries images, tool
// results without text, or nothing at all).
std::optional<SemanticRequest> semantic_request(const Value& request, std::string_view embedding_model,
                                                std::span<const std::string> extra_volatile = {});

std::string to_hex(const RequestKey& key);

}  // namespace ragkernel::store

#pragma once
// Metadata records as stored in a durable collection: a JSON object (readable by any tool),
// ints kept apart from floats so a record reads back exactly as it was written.
#include <string>
#include <string_view>

#include "ragkernel/filter/metadata_store.hpp"

namespace ragkernel::collection::detail {

std::string encode_metadata(const filter::Metadata& record);
// Throws Corruption naming `where` when the bytes are not such an object.
filter::Metadata decode_metadata(std::string_view bytes, const std::string& where);

}  // namespace ragkernel::collection::detail

#pragma once
// Keys of per-document records: a varint length, the document id, then a suffix that tells
// records of one document apart (empty for the main record). Column families laid out this
// way (KeyLayout::per_document) get a prefix bloom filter over "length + id", so finding or
// deleting every record of one document touches only the files that hold it.
#include <optional>
#include <string>
#include <string_view>

namespace ragkernel::store {

std::string doc_key(std::string_view doc_id, std::string_view suffix = {});
// The part of a key that names its document (length + id), or nullopt if it does not parse.
std::optional<std::string_view> doc_key_prefix(std::string_view key);

struct DocKeyParts {
  std::string_view doc_id;
  std::string_view suffix;
};
std::optional<DocKeyParts> parse_doc_key(std::string_view key);

}  // namespace ragkernel::store

#pragma once
// Typed metadata per internal id and the evaluation of filters over it.
//
// Each field has one type, fixed by the first value stored under that name: string, number
// (int and float share it; ints beyond 2^53 lose precision in comparisons), bool, or list of
// strings. A value of another type is an error that names the field, the id and both types.
// On a list field, $eq/$ne test membership and $in/$nin test whether any element is listed.
// Comparison operators match only documents that have the field ($ne and $nin included);
// use $exists to select documents without it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ragkernel/bitset.hpp"
#include "ragkernel/filter/filter.hpp"
#include "ragkernel/filter/json.hpp"

namespace ragkernel::filter {

enum class FieldType { kString, kNumber, kBool, kStringList };
const char* field_type_name(FieldType type) noexcept;  // "string", "number", "bool", "list of strings"

using MetadataValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;
using Metadata = std::vector<std::pair<std::string, MetadataValue>>;

// A metadata record from its JSON form (an object of scalars and lists of strings).
Metadata metadata_from_json(const Json& json);

class MetadataStore {
 public:
  MetadataStore();
  ~MetadataStore();
  MetadataStore(MetadataStore&&) noexcept;
  MetadataStore& operator=(MetadataStore&&) noexcept;

  // Replaces each id's metadata. Checks every record first (field names non-empty and not
  // starting with '$', types consistent per field, distinct ids); nothing changes on error.
  void set(std::span<const std::uint32_t> ids, std::span<const Metadata> records);
  // Throws InvalidArgument exactly when set() would for these records (field names, types
  // against the stored fields and within the batch); names[r] labels record r in the message
  // ("id 'doc-7'"). Lets a caller that updates several structures check before changing any.
  void validate(std::span<const Metadata> records, std::span<const std::string> names) const;
  // Forgets the ids' metadata; ids without metadata are ignored.
  void remove(std::span<const std::uint32_t> ids);

  bool contains(std::uint32_t id) const noexcept;  // has a record (possibly empty)
  Metadata get(std::uint32_t id) const;            // NotFound when absent
  std::size_t size() const noexcept;
  std::optional<FieldType> field_type(std::string_view field) const;
  std::vector<std::string> fields() const;

  // The ids (with a record) that satisfy the filter, as a Bitset of size max(id_bound, ids seen).
  Bitset match(const Filter& filter, std::size_t id_bound = 0) const;
  std::vector<std::uint32_t> match_ids(const Filter& filter) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragkernel::filter

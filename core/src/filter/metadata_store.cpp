#include "ragkernel/filter/metadata_store.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "ragkernel/error.hpp"

namespace ragkernel::filter {
namespace {

FieldType type_of(const MetadataValue& v) noexcept {
  switch (v.index()) {
    case 0: return FieldType::kBool;
    case 1:
    case 2: return FieldType::kNumber;
    case 3: return FieldType::kString;
    default: return FieldType::kStringList;
  }
}

const char* value_type_name(const Scalar& s) noexcept {
  switch (s.index()) {
    case 0: return "bool";
    case 1: return "int";
    case 2: return "float";
    default: return "string";
  }
}

std::string describe(const Scalar& s) {
  if (const bool* b = std::get_if<bool>(&s)) return *b ? "True" : "False";
  if (const auto* i = std::get_if<std::int64_t>(&s)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&s)) return Json{*d}.describe();
  return "'" + std::get<std::string>(s) + "'";
}

struct Column {
  FieldType type;
  Bitset has;
  std::vector<double> number;
  std::vector<std::int64_t> integer;  // exact value when is_int
  std::vector<std::uint8_t> is_int;
  std::vector<std::uint8_t> boolean;
  std::vector<std::uint32_t> string;  // dictionary id
  std::vector<std::vector<std::uint32_t>> list;
  std::unordered_map<std::string, std::uint32_t> dict;
  std::vector<std::string> dict_values;

  void grow(std::size_t n) {
    if (has.size() >= n) return;
    has.resize(n);
    switch (type) {
      case FieldType::kNumber:
        number.resize(n);
        integer.resize(n);
        is_int.resize(n);
        break;
      case FieldType::kBool: boolean.resize(n); break;
      case FieldType::kString: string.resize(n); break;
      case FieldType::kStringList: list.resize(n); break;
    }
  }
  std::uint32_t intern(const std::string& s) {
    auto [it, inserted] = dict.try_emplace(s, static_cast<std::uint32_t>(dict_values.size()));
    if (inserted) dict_values.push_back(s);
    return it->second;
  }
  std::optional<std::uint32_t> find(const std::string& s) const {
    auto it = dict.find(s);
    return it == dict.end() ? std::nullopt : std::optional(it->second);
  }
  void put(std::uint32_t id, const MetadataValue& v) {
    grow(std::size_t{id} + 1);
    has.set(id);
    if (const bool* b = std::get_if<bool>(&v)) {
      boolean[id] = *b;
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      number[id] = static_cast<double>(*i);
      integer[id] = *i;
      is_int[id] = 1;
    } else if (const double* d = std::get_if<double>(&v)) {
      number[id] = *d;
      is_int[id] = 0;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      string[id] = intern(*s);
    } else {
      auto& out = list[id];
      out.clear();
      for (const std::string& e : std::get<std::vector<std::string>>(v)) out.push_back(intern(e));
    }
  }
  MetadataValue value(std::uint32_t id) const {
    switch (type) {
      case FieldType::kBool: return static_cast<bool>(boolean[id]);
      case FieldType::kNumber:
        if (is_int[id]) return integer[id];
        return number[id];
      case FieldType::kString: return dict_values[string[id]];
      case FieldType::kStringList: {
        std::vector<std::string> out;
        for (std::uint32_t e : list[id]) out.push_back(dict_values[e]);
        return out;
      }
    }
    return false;
  }
};

}  // namespace

const char* field_type_name(FieldType type) noexcept {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kNumber: return "number";
    case FieldType::kBool: return "bool";
    case FieldType::kStringList: return "list of strings";
  }
  return "?";
}

Metadata metadata_from_json(const Json& json) {
  const auto* obj = std::get_if<JsonObject>(&json.value);
  if (obj == nullptr) {
    throw InvalidArgument(std::string("metadata must be a dict, got ") + json.type_name() + " " + json.describe());
  }
  Metadata out;
  for (const auto& [key, value] : *obj) {
    if (const bool* b = std::get_if<bool>(&value.value)) {
      out.emplace_back(key, *b);
    } else if (const auto* i = std::get_if<std::int64_t>(&value.value)) {
      out.emplace_back(key, *i);
    } else if (const double* d = std::get_if<double>(&value.value)) {
      out.emplace_back(key, *d);
    } else if (const auto* s = std::get_if<std::string>(&value.value)) {
      out.emplace_back(key, *s);
    } else if (const auto* list = std::get_if<JsonArray>(&value.value)) {
      std::vector<std::string> strings;
      for (const Json& e : *list) {
        const auto* es = std::get_if<std::string>(&e.value);
        if (es == nullptr) {
          throw InvalidArgument("metadata field '" + key + "': lists may hold only strings, got an element of type " +
                                e.type_name() + " " + e.describe());
        }
        strings.push_back(*es);
      }
      out.emplace_back(key, std::move(strings));
    } else {
      throw InvalidArgument("metadata field '" + key +
                            "': expected a string, int, float, bool or list of strings, got " + value.type_name() +
                            " " + value.describe());
    }
  }
  return out;
}

struct MetadataStore::Impl {
  std::map<std::string, Column, std::less<>> columns;
  Bitset records;
  std::size_t n = 0;

  Bitset all(std::size_t size) const {
    Bitset out = records;
    out.resize(size);
    return out;
  }
  Bitset eval(const Filter& f, std::size_t size) const;
  Bitset leaf(const Filter& f, std::size_t size) const;
};

MetadataStore::MetadataStore() : impl_(std::make_unique<Impl>()) {}
MetadataStore::~MetadataStore() = default;
MetadataStore::MetadataStore(MetadataStore&&) noexcept = default;
MetadataStore& MetadataStore::operator=(MetadataStore&&) noexcept = default;

namespace {

// The checks of set(): field names, one type per field (stored fields and this batch).
template <class Label>
std::map<std::string, FieldType, std::less<>> check_records(const std::map<std::string, Column, std::less<>>& columns,
                                                            std::span<const Metadata> records, Label label) {
  std::map<std::string, FieldType, std::less<>> new_types;
  for (std::size_t r = 0; r < records.size(); ++r) {
    std::vector<std::string_view> names;
    for (const auto& [field, value] : records[r]) {
      if (field.empty()) throw InvalidArgument("metadata of " + label(r) + " has an empty field name");
      if (field[0] == '$') {
        throw InvalidArgument("metadata field '" + field + "' of " + label(r) +
                              ": names starting with '$' are reserved for filter operators");
      }
      names.push_back(field);
      const FieldType t = type_of(value);
      std::optional<FieldType> known;
      if (auto it = columns.find(field); it != columns.end()) known = it->second.type;
      if (auto it = new_types.find(field); !known && it != new_types.end()) known = it->second;
      if (known && *known != t) {
        throw InvalidArgument("metadata field '" + field + "' holds " + field_type_name(*known) + " values; " +
                              label(r) + " gives a " + field_type_name(t));
      }
      if (!known) new_types.emplace(field, t);
    }
    std::sort(names.begin(), names.end());
    if (auto dup = std::adjacent_find(names.begin(), names.end()); dup != names.end()) {
      throw InvalidArgument("metadata of " + label(r) + " names field '" + std::string(*dup) + "' twice");
    }
  }
  return new_types;
}

}  // namespace

void MetadataStore::validate(std::span<const Metadata> records, std::span<const std::string> names) const {
  if (names.size() != records.size()) {
    throw InvalidArgument("validate got " + std::to_string(records.size()) + " records but " +
                          std::to_string(names.size()) + " names");
  }
  check_records(impl_->columns, records, [&](std::size_t r) { return names[r]; });
}

void MetadataStore::set(std::span<const std::uint32_t> ids, std::span<const Metadata> records) {
  if (ids.size() != records.size()) {
    throw InvalidArgument("set got " + std::to_string(ids.size()) + " ids but " + std::to_string(records.size()) +
                          " metadata records");
  }
  Impl& m = *impl_;
  std::vector<std::uint32_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    throw InvalidArgument("id " + std::to_string(*dup) + " appears twice in one set");
  }
  // Check every record before changing anything; types seen in this batch count too.
  const auto new_types = check_records(m.columns, records, [&](std::size_t r) {
    return "record " + std::to_string(r) + " (internal id " + std::to_string(ids[r]) + ")";
  });
  remove(ids);
  for (const auto& [field, type] : new_types)
    m.columns.emplace(field, Column{type, {}, {}, {}, {}, {}, {}, {}, {}, {}});
  for (std::size_t r = 0; r < records.size(); ++r) {
    const std::uint32_t id = ids[r];
    for (const auto& [field, value] : records[r]) m.columns.find(field)->second.put(id, value);
    if (m.records.size() <= id) m.records.resize(std::size_t{id} + 1);
    m.records.set(id);
    ++m.n;
  }
}

void MetadataStore::remove(std::span<const std::uint32_t> ids) {
  Impl& m = *impl_;
  for (std::uint32_t id : ids) {
    if (!m.records.test(id)) continue;
    for (auto& [name, column] : m.columns) {
      if (column.has.test(id)) column.has.reset(id);
    }
    m.records.reset(id);
    --m.n;
  }
}

bool MetadataStore::contains(std::uint32_t id) const noexcept { return impl_->records.test(id); }
std::size_t MetadataStore::size() const noexcept { return impl_->n; }

Metadata MetadataStore::get(std::uint32_t id) const {
  if (!contains(id)) throw NotFound("id " + std::to_string(id) + " has no metadata");
  Metadata out;
  for (const auto& [name, column] : impl_->columns) {
    if (column.has.test(id)) out.emplace_back(name, column.value(id));
  }
  return out;
}

std::optional<FieldType> MetadataStore::field_type(std::string_view field) const {
  auto it = impl_->columns.find(field);
  return it == impl_->columns.end() ? std::nullopt : std::optional(it->second.type);
}

std::vector<std::string> MetadataStore::fields() const {
  std::vector<std::string> out;
  for (const auto& [name, column] : impl_->columns) out.push_back(name);
  return out;
}

Bitset MetadataStore::match(const Filter& filter, std::size_t id_bound) const {
  return impl_->eval(filter, std::max(id_bound, impl_->records.size()));
}

std::vector<std::uint32_t> MetadataStore::match_ids(const Filter& filter) const {
  std::vector<std::uint32_t> out;
  match(filter).for_each([&](std::size_t i) { out.push_back(static_cast<std::uint32_t>(i)); });
  return out;
}

Bitset MetadataStore::Impl::eval(const Filter& f, std::size_t size) const {
  switch (f.op) {
    case Op::kAnd: {
      Bitset out = all(size);
      for (const Filter& c : f.children) out &= eval(c, size);
      return out;
    }
    case Op::kOr: {
      Bitset out(size);
      for (const Filter& c : f.children) out |= eval(c, size);
      return out;
    }
    case Op::kNot: {
      Bitset inner = eval(f.children.front(), size);
      inner.flip();
      inner &= all(size);
      return inner;
    }
    default: return leaf(f, size);
  }
}

Bitset MetadataStore::Impl::leaf(const Filter& f, std::size_t size) const {
  Bitset out(size);
  auto it = columns.find(f.field);
  if (f.op == Op::kExists) {
    const bool want = std::get<bool>(f.values.front());
    if (it != columns.end()) out |= it->second.has;
    if (!want) {
      out.flip();
      out &= all(size);
    }
    return out;
  }
  if (it == columns.end()) return out;  // no document has the field
  const Column& col = it->second;
  const std::string op = op_name(f.op);
  auto mismatch = [&](const Scalar& v) {
    return InvalidArgument("filter on field '" + f.field + "', operator " + op + ": the field holds " +
                           field_type_name(col.type) + " values, got " + value_type_name(v) + " " + describe(v));
  };
  const bool ordering = f.op == Op::kGt || f.op == Op::kGte || f.op == Op::kLt || f.op == Op::kLte;
  if (ordering && col.type != FieldType::kNumber) {
    throw InvalidArgument("filter on field '" + f.field + "', operator " + op + ": needs a number field, but '" +
                          f.field + "' holds " + field_type_name(col.type) + " values");
  }
  // Check every value's type against the column.
  for (const Scalar& v : f.values) {
    const bool ok = col.type == FieldType::kNumber ? (v.index() == 1 || v.index() == 2)
                    : col.type == FieldType::kBool ? v.index() == 0
                                                   : v.index() == 3;
    if (!ok) throw mismatch(v);
  }
  const bool negate = f.op == Op::kNe || f.op == Op::kNin;
  if (col.type == FieldType::kNumber) {
    std::vector<double> values;
    for (const Scalar& v : f.values) {
      values.push_back(v.index() == 1 ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v));
    }
    const double x = values.empty() ? 0.0 : values.front();
    col.has.for_each([&](std::size_t id) {
      const double y = col.number[id];
      bool hit = false;
      switch (f.op) {
        case Op::kGt: hit = y > x; break;
        case Op::kGte: hit = y >= x; break;
        case Op::kLt: hit = y < x; break;
        case Op::kLte: hit = y <= x; break;
        default: hit = std::find(values.begin(), values.end(), y) != values.end(); break;
      }
      if (hit != negate) out.set(id);
    });
  } else if (col.type == FieldType::kBool) {
    bool want[2] = {false, false};
    for (const Scalar& v : f.values) want[std::get<bool>(v) ? 1 : 0] = true;
    col.has.for_each([&](std::size_t id) {
      if (want[col.boolean[id]] != negate) out.set(id);
    });
  } else {
    std::vector<std::uint32_t> wanted;  // dictionary ids of the listed strings that occur at all
    for (const Scalar& v : f.values) {
      if (auto d = col.find(std::get<std::string>(v))) wanted.push_back(*d);
    }
    auto listed = [&](std::uint32_t d) { return std::find(wanted.begin(), wanted.end(), d) != wanted.end(); };
    col.has.for_each([&](std::size_t id) {
      bool hit;
      if (col.type == FieldType::kString) {
        hit = listed(col.string[id]);
      } else {
        hit = std::any_of(col.list[id].begin(), col.list[id].end(), listed);
      }
      if (hit != negate) out.set(id);
    });
  }
  return out;
}

}  // namespace ragkernel::filter

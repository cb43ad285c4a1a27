// Collection settings: validation and the manifest's text form.
#include <charconv>
#include <cmath>

#include "ragkernel/collection/options.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/text/analyzer.hpp"
#include "ragkernel/vector/index.hpp"

namespace ragkernel::collection {
namespace {

std::string number(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, end);
}

template <class T>
T parse_number(const std::map<std::string, std::string>& config, const std::string& key, const std::string& where) {
  const auto it = config.find(key);
  if (it == config.end()) throw Corruption(where + ": the manifest has no '" + key + "' setting");
  T value{};
  const std::string& s = it->second;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw Corruption(where + ": manifest setting " + key + "='" + s + "' is not a number");
  }
  return value;
}

const std::string& setting(const std::map<std::string, std::string>& config, const std::string& key,
                           const std::string& where) {
  const auto it = config.find(key);
  if (it == config.end()) throw Corruption(where + ": the manifest has no '" + key + "' setting");
  return it->second;
}

}  // namespace

void CollectionOptions::validate() const {
  if (dim > 65536) throw InvalidArgument("dim is " + std::to_string(dim) + "; expected at most 65536 (0: text only)");
  if (dim > 0) {
    vector::IndexOptions v = vector;
    v.dim = dim;
    vector::Index::create(v);  // throws InvalidArgument naming the bad option
  }
  text::Analyzer check(analyzer);
  bm25.validate();
}

std::map<std::string, std::string> CollectionOptions::to_config() const {
  return {
      {"dim", std::to_string(dim)},
      {"metric", std::string(vector::to_string(vector.metric))},
      {"index", std::string(vector::to_string(vector.kind))},
      {"quantization", std::string(vector::to_string(vector.quantization))},
      {"keep_float", vector.keep_float ? "1" : "0"},
      {"M", std::to_string(vector.M)},
      {"ef_construction", std::to_string(vector.ef_construction)},
      {"ef_search", std::to_string(vector.ef_search)},
      {"seed", std::to_string(vector.seed)},
      {"analyzer", analyzer.serialize()},
      {"bm25.variant", std::string(text::to_string(bm25.variant))},
      {"bm25.k1", number(bm25.k1)},
      {"bm25.b", number(bm25.b)},
      {"bm25.delta", number(bm25.delta)},
  };
}

CollectionOptions CollectionOptions::from_config(const std::map<std::string, std::string>& config,
                                                 const std::string& where) {
  CollectionOptions o;
  try {
    o.dim = parse_number<std::size_t>(config, "dim", where);
    o.vector.metric = vector::parse_metric(setting(config, "metric", where));
    o.vector.kind = vector::parse_kind(setting(config, "index", where));
    o.vector.quantization = vector::parse_quantization(setting(config, "quantization", where));
    o.vector.keep_float = setting(config, "keep_float", where) == "1";
    o.vector.M = parse_number<std::size_t>(config, "M", where);
    o.vector.ef_construction = parse_number<std::size_t>(config, "ef_construction", where);
    o.vector.ef_search = parse_number<std::size_t>(config, "ef_search", where);
    o.vector.seed = parse_number<std::uint64_t>(config, "seed", where);
    o.analyzer = text::AnalyzerConfig::parse(setting(config, "analyzer", where));
    o.bm25.variant = text::parse_bm25_variant(setting(config, "bm25.variant", where));
    o.bm25.k1 = parse_number<double>(config, "bm25.k1", where);
    o.bm25.b = parse_number<double>(config, "bm25.b", where);
    o.bm25.delta = parse_number<double>(config, "bm25.delta", where);
    o.vector.dim = o.dim;
    o.validate();
  } catch (const Corruption&) {
    throw;
  } catch (const Error& e) {
    throw Corruption(where + ": the manifest's settings are not usable: " + e.what());
  }
  return o;
}

bool operator==(const CollectionOptions& a, const CollectionOptions& b) { return a.to_config() == b.to_config(); }

}  // namespace ragkernel::collection

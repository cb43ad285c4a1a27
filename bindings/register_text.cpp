// Text analysis and BM25 for Python. BM25Index maps the user's string ids to internal ids
// with an IdMap; everything else is the core's ragkernel::text::Bm25Index.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "areas.hpp"
#include "explanation.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/id_map.hpp"
#include "ragkernel/text/analyzer.hpp"
#include "ragkernel/text/bm25_index.hpp"
#include "texts.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using text::AnalyzerConfig;
using TextList = py::typing::List<py::typing::Union<py::str, py::bytes>>;
using HitList = py::typing::List<py::typing::Tuple<py::str, py::float_>>;
using Record = py::typing::Dict<py::str, py::object>;

AnalyzerConfig make_config(const std::optional<std::string>& preset, const std::optional<std::string>& tokenizer,
                           std::optional<bool> lowercase, std::optional<bool> remove_possessive,
                           std::optional<std::size_t> min_len, std::optional<std::size_t> max_len,
                           const std::optional<std::vector<std::string>>& stopwords,
                           const std::optional<std::string>& stemmer) {
  AnalyzerConfig c = preset ? AnalyzerConfig::preset(*preset) : AnalyzerConfig{};
  if (tokenizer) {
    if (*tokenizer == "word") {
      c.tokenizer = text::Tokenizer::kWord;
    } else if (*tokenizer == "standard") {
      c.tokenizer = text::Tokenizer::kStandard;
    } else {
      throw InvalidArgument("unknown tokenizer '" + *tokenizer + "'; expected 'word' or 'standard'");
    }
  }
  if (lowercase) c.lowercase = *lowercase;
  if (remove_possessive) c.remove_possessive = *remove_possessive;
  if (min_len) c.min_token_length = *min_len;
  if (max_len) c.max_token_length = *max_len;
  if (stopwords) c.stopwords = *stopwords;
  if (stemmer) c.stemmer = *stemmer;
  return c;
}

Record config_dict(const AnalyzerConfig& c) {
  Record d;
  d["tokenizer"] = c.tokenizer == text::Tokenizer::kWord ? "word" : "standard";
  d["lowercase"] = c.lowercase;
  d["remove_possessive"] = c.remove_possessive;
  d["min_token_length"] = c.min_token_length;
  d["max_token_length"] = c.max_token_length;
  d["stopwords"] = c.stopwords;
  d["stemmer"] = c.stemmer;
  return d;
}

text::SearchMode parse_mode(const std::string& mode) {
  if (mode == "auto") return text::SearchMode::kAuto;
  if (mode == "exhaustive") return text::SearchMode::kExhaustive;
  if (mode == "pruned") return text::SearchMode::kPruned;
  throw InvalidArgument("unknown search mode '" + mode + "'; expected 'auto', 'exhaustive' or 'pruned'");
}

text::Bm25Params make_params(const std::string& variant, double k1, double b, double delta) {
  text::Bm25Params p{text::parse_bm25_variant(variant), k1, b, delta};
  p.validate();
  return p;
}

std::vector<std::string_view> views(const std::vector<std::string>& texts) { return {texts.begin(), texts.end()}; }

// String ids over the core index. add/remove keep the IdMap and the index in step: new ids
// are assigned only after every check passed, and released again if indexing fails.
class KeyedBm25 {
 public:
  KeyedBm25(AnalyzerConfig config, text::Bm25Params params) : index_(std::move(config), params) {}

  text::Bm25Index& core() { return index_; }
  const IdMap& ids() const { return ids_; }

  std::vector<std::uint32_t> assign(const std::vector<std::string>& keys) {
    std::vector<std::uint32_t> out;
    out.reserve(keys.size());
    {
      std::vector<std::string_view> sorted(keys.begin(), keys.end());
      std::sort(sorted.begin(), sorted.end());
      if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
        throw InvalidArgument("id '" + std::string(*dup) + "' appears twice in one add");
      }
    }
    for (const std::string& k : keys) {
      if (ids_.contains(k)) throw InvalidArgument("id '" + k + "' is already indexed; remove it first");
    }
    for (const std::string& k : keys) out.push_back(ids_.insert(k).first);
    // Python strings of the keys, made once here (with the GIL) instead of once per hit.
    if (py_keys_.size() < ids_.capacity()) py_keys_.resize(ids_.capacity());
    for (std::size_t i = 0; i < keys.size(); ++i) py_keys_[out[i]] = py::str(keys[i]);
    return out;
  }
  void release(const std::vector<std::string>& keys) {
    for (const std::string& k : keys) {
      if (const auto id = ids_.erase(k)) py_keys_[*id] = py::object();
    }
  }
  std::vector<std::uint32_t> existing(const std::vector<std::string>& keys) const {
    std::vector<std::uint32_t> out;
    for (const std::string& k : keys) {
      const auto id = ids_.find(k);
      if (!id) throw NotFound("id '" + k + "' is not in the index");
      out.push_back(*id);
    }
    return out;
  }
  std::optional<Bitset> allow_set(const std::optional<std::vector<std::string>>& allow) const {
    if (!allow) return std::nullopt;
    Bitset bits(ids_.capacity());
    for (const std::string& k : *allow) {
      if (const auto id = ids_.find(k)) bits.set(*id);
    }
    return bits;
  }
  // Hits as two [queries, k] arrays: ids (object, None where a query found fewer than k) and
  // float32 scores (NaN there). One reference per id instead of a tuple per hit.
  py::tuple hit_arrays(const std::vector<std::vector<text::ScoredId>>& found, std::size_t k) const {
    const auto rows = static_cast<py::ssize_t>(found.size());
    const auto cols = static_cast<py::ssize_t>(k);
    py::array ids = py::module_::import("numpy").attr("full")(py::make_tuple(rows, cols), py::none(), "object");
    py::array_t<float> scores({rows, cols});
    auto** slots = static_cast<PyObject**>(ids.mutable_data());
    float* out = scores.mutable_data();
    std::fill(out, out + rows * cols, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t q = 0; q < found.size(); ++q) {
      for (std::size_t i = 0; i < found[q].size(); ++i) {
        PyObject*& slot = slots[q * k + i];
        PyObject* key = py_keys_[found[q][i].id].ptr();
        Py_INCREF(key);
        Py_DECREF(slot);
        slot = key;
        out[q * k + i] = found[q][i].score;
      }
    }
    return py::make_tuple(ids, scores);
  }

  HitList hits(const std::vector<text::ScoredId>& found) const {
    HitList out;
    for (std::size_t i = 0; i < found.size(); ++i) {
      out.append(py::make_tuple(py_keys_[found[i].id], found[i].score));
    }
    return out;
  }

 private:
  IdMap ids_;
  std::vector<py::object> py_keys_;  // by internal id
  text::Bm25Index index_;
};

template <class Add>
void add_keyed(KeyedBm25& self, const std::vector<std::string>& keys, std::size_t n, Add&& add) {
  if (keys.size() != n) {
    throw InvalidArgument("add got " + std::to_string(keys.size()) + " ids but " + std::to_string(n) + " documents");
  }
  const std::vector<std::uint32_t> internal = self.assign(keys);
  try {
    py::gil_scoped_release release;
    add(internal);
  } catch (...) {
    self.release(keys);
    throw;
  }
}

}  // namespace

void register_text(py::module_& m) {
  py::class_<text::Analyzer>(m, "Analyzer", "Text analysis: UTF-8 text in, index terms out.")
      .def(py::init([](const std::optional<std::string>& preset, const std::optional<std::string>& tokenizer,
                       std::optional<bool> lowercase, std::optional<bool> remove_possessive,
                       std::optional<std::size_t> min_len, std::optional<std::size_t> max_len,
                       const std::optional<std::vector<std::string>>& stopwords,
                       const std::optional<std::string>& stemmer) {
             return std::make_unique<text::Analyzer>(
                 make_config(preset, tokenizer, lowercase, remove_possessive, min_len, max_len, stopwords, stemmer));
           }),
           py::arg("preset") = py::none(), py::arg("tokenizer") = py::none(), py::arg("lowercase") = py::none(),
           py::arg("remove_possessive") = py::none(), py::arg("min_token_length") = py::none(),
           py::arg("max_token_length") = py::none(), py::arg("stopwords") = py::none(), py::arg("stemmer") = py::none())
      .def_static(
          "from_serialized",
          [](const std::string& s) { return std::make_unique<text::Analyzer>(AnalyzerConfig::parse(s)); },
          py::arg("serialized"), "The analyzer a serialize() string describes.")
      .def("analyze", py::overload_cast<std::string_view>(&text::Analyzer::analyze, py::const_), py::arg("text"),
           py::call_guard<py::gil_scoped_release>(), "The terms of one text.")
      .def(
          "analyze_batch",
          [](const text::Analyzer& a, const std::vector<std::string>& texts, int threads) {
            const auto v = views(texts);
            py::gil_scoped_release release;
            return a.analyze_batch(v, threads);
          },
          py::arg("texts"), py::arg("threads") = 0, "The terms of many texts, analysed in parallel.")
      .def(
          "config", [](const text::Analyzer& a) { return config_dict(a.config()); }, "The configuration as a dict.")
      .def(
          "serialize", [](const text::Analyzer& a) { return a.config().serialize(); },
          "The configuration in its stable text form.");

  m.def(
      "english_stopwords",
      [] {
        std::vector<std::string> out;
        for (std::string_view w : text::english_stopwords()) out.emplace_back(w);
        return out;
      },
      "Lucene's 33 English stopwords.");
  m.def("stemmer_algorithms", &text::stemmer_algorithms, "Stemmer names libstemmer provides.");

  py::class_<KeyedBm25>(m, "BM25Index", "BM25 over texts with string ids (the core index plus an id map).")
      .def(py::init([](const std::optional<std::string>& analyzer_preset, const std::optional<std::string>& serialized,
                       const std::string& variant, double k1, double b, double delta) {
             AnalyzerConfig c = serialized ? AnalyzerConfig::parse(*serialized)
                                           : AnalyzerConfig::preset(analyzer_preset.value_or("lucene"));
             return std::make_unique<KeyedBm25>(std::move(c), make_params(variant, k1, b, delta));
           }),
           py::arg("analyzer") = py::none(), py::arg("analyzer_config") = py::none(), py::arg("variant") = "lucene",
           py::arg("k1") = 1.5, py::arg("b") = 0.75, py::arg("delta") = 0.5)
      .def(
          "add",
          [](KeyedBm25& self, const std::vector<std::string>& ids, const TextList& items, int threads) {
            const std::vector<std::string> texts = to_texts(items, "text");
            const auto v = views(texts);
            add_keyed(self, ids, texts.size(),
                      [&](const std::vector<std::uint32_t>& internal) { self.core().add(internal, v, threads); });
          },
          py::arg("ids"), py::arg("texts"), py::arg("threads") = 0)
      .def(
          "add_terms",
          [](KeyedBm25& self, const std::vector<std::string>& ids, const std::vector<std::vector<std::string>>& terms) {
            add_keyed(self, ids, terms.size(),
                      [&](const std::vector<std::uint32_t>& internal) { self.core().add_terms(internal, terms); });
          },
          py::arg("ids"), py::arg("terms"), "Adds pre-analysed documents.")
      .def(
          "remove",
          [](KeyedBm25& self, const std::vector<std::string>& ids) {
            {
              std::vector<std::string> sorted(ids);
              std::sort(sorted.begin(), sorted.end());
              if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
                throw InvalidArgument("id '" + *dup + "' appears twice in one remove");
              }
            }
            const std::vector<std::uint32_t> internal = self.existing(ids);
            {
              py::gil_scoped_release release;
              self.core().remove(internal);
            }
            self.release(ids);
          },
          py::arg("ids"))
      .def(
          "search",
          [](const KeyedBm25& self, const TextList& items, std::size_t k,
             const std::optional<std::vector<std::string>>& allow, int threads, const std::string& mode) {
            const std::vector<std::string> queries = to_texts(items, "query");
            const auto allow_bits = self.allow_set(allow);
            const auto v = views(queries);
            const text::SearchMode sm = parse_mode(mode);
            std::vector<std::vector<text::ScoredId>> found;
            {
              py::gil_scoped_release release;
              found = const_cast<KeyedBm25&>(self).core().search_batch(v, k, allow_bits ? &*allow_bits : nullptr,
                                                                       threads, sm);
            }
            py::typing::List<HitList> out;
            for (const auto& f : found) out.append(self.hits(f));
            return out;
          },
          py::arg("queries"), py::arg("k") = 10, py::arg("allow") = py::none(), py::arg("threads") = 0,
          py::arg("mode") = "auto", "Per query, a list of (id, score), best first.")
      .def(
          "search_terms",
          [](const KeyedBm25& self, const std::vector<std::vector<std::string>>& queries, std::size_t k,
             const std::optional<std::vector<std::string>>& allow, int threads, const std::string& mode) {
            const auto allow_bits = self.allow_set(allow);
            const text::SearchMode sm = parse_mode(mode);
            std::vector<std::vector<text::ScoredId>> found;
            {
              py::gil_scoped_release release;
              found = const_cast<KeyedBm25&>(self).core().search_terms_batch(
                  queries, k, allow_bits ? &*allow_bits : nullptr, threads, sm);
            }
            py::typing::List<HitList> out;
            for (const auto& f : found) out.append(self.hits(f));
            return out;
          },
          py::arg("queries"), py::arg("k") = 10, py::arg("allow") = py::none(), py::arg("threads") = 0,
          py::arg("mode") = "auto", "Like search, for pre-analysed queries.")
      .def(
          "search_arrays",
          [](const KeyedBm25& self, const py::typing::List<py::object>& items, std::size_t k,
             const std::optional<std::vector<std::string>>& allow, int threads, const std::string& mode) {
            // Items are query strings, or lists of terms (pre-analysed).
            const bool analysed = !items.empty() && py::isinstance<py::list>(items[0]);
            const auto allow_bits = self.allow_set(allow);
            const text::SearchMode sm = parse_mode(mode);
            std::vector<std::vector<text::ScoredId>> found;
            if (analysed) {
              const auto terms = items.cast<std::vector<std::vector<std::string>>>();
              py::gil_scoped_release release;
              found = const_cast<KeyedBm25&>(self).core().search_terms_batch(
                  terms, k, allow_bits ? &*allow_bits : nullptr, threads, sm);
            } else {
              const std::vector<std::string> queries = to_texts(items, "query");
              const auto v = views(queries);
              py::gil_scoped_release release;
              found = const_cast<KeyedBm25&>(self).core().search_batch(v, k, allow_bits ? &*allow_bits : nullptr,
                                                                       threads, sm);
            }
            return py::typing::Tuple<py::array, py::array_t<float>>(self.hit_arrays(found, k));
          },
          py::arg("queries"), py::arg("k") = 10, py::arg("allow") = py::none(), py::arg("threads") = 0,
          py::arg("mode") = "auto",
          "Hits of many queries (strings or term lists) as [queries, k] arrays: ids (object, None past "
          "the last hit) and float32 scores (NaN there).")
      .def(
          "explain",
          [](KeyedBm25& self, const std::string& query, const std::string& id) {
            const auto internal = self.ids().find(id);
            if (!internal) throw NotFound("id '" + id + "' is not in the index");
            return explanation_dict(self.core().explain(query, *internal), id);
          },
          py::arg("query"), py::arg("id"), "Per-term contributions to one document's score.")
      .def(
          "set_params",
          [](KeyedBm25& self, const std::string& variant, double k1, double b, double delta) {
            self.core().set_params(make_params(variant, k1, b, delta));
          },
          py::arg("variant"), py::arg("k1"), py::arg("b"), py::arg("delta"))
      .def("params",
           [](KeyedBm25& self) {
             const text::Bm25Params p = self.core().params();
             Record d;
             d["variant"] = std::string(text::to_string(p.variant));
             d["k1"] = p.k1;
             d["b"] = p.b;
             d["delta"] = p.delta;
             return d;
           })
      .def("analyzer_config", [](KeyedBm25& self) { return self.core().analyzer_config().serialize(); })
      .def(
          "analyze", [](KeyedBm25& self, const std::string& text) { return self.core().analyzer().analyze(text); },
          py::arg("text"))
      .def("stats",
           [](KeyedBm25& self) {
             const auto& inv = self.core().inverted();
             Record d;
             d["num_docs"] = inv.num_docs();
             d["avg_doc_length"] = inv.avg_doc_length();
             d["total_length"] = inv.total_length();
             d["vocabulary_size"] = inv.vocabulary_size();
             d["memory_bytes"] = inv.memory_bytes() + self.ids().size() * 48;
             return d;
           })
      .def(
          "doc_frequency",
          [](KeyedBm25& self, const std::string& term) { return self.core().inverted().doc_frequency(term); },
          py::arg("term"))
      .def(
          "contains", [](const KeyedBm25& self, const std::string& id) { return self.ids().contains(id); },
          py::arg("id"))
      .def("__len__", [](const KeyedBm25& self) { return self.ids().size(); });
}

}  // namespace ragkernel::py_bindings

// Chunkers and the tokenizer for Python. Texts arrive as `str` (UTF-8 taken from the str
// itself, no copy), results leave as int64 arrays; the Python façade (ragkernel/chunk.py)
// builds the Chunk objects. Python callables (a counter, an embedder) are called back with
// the GIL re-acquired.
#include <Python.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "areas.hpp"
#include "arrays.hpp"
#include "ragkernel/chunk/chunk.hpp"
#include "ragkernel/chunk/file_chunker.hpp"
#include "ragkernel/chunk/tokenizer.hpp"
#include "ragkernel/chunk/utf8.hpp"
#include "ragkernel/error.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

using chunk::Chunk;
using chunk::Options;
using chunk::Tokenizer;

using Int64Array = py::array_t<std::int64_t>;
// (start, end, byte_start, byte_end, size, heading paths or None) of one document's chunks.
using ChunkArrays = py::typing::Tuple<Int64Array, Int64Array, Int64Array, Int64Array, Int64Array,
                                      py::typing::Optional<py::typing::List<py::typing::List<py::str>>>>;
using Counter = std::optional<py::typing::Callable<py::int_(py::str)>>;
using EmbedderFn = std::optional<py::typing::Callable<py::object(py::typing::List<py::str>)>>;

// A str or os.PathLike, as a string.
std::string path_of(const py::object& path) {
  return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

// The UTF-8 of a str, owned by the str. A lone surrogate cannot be encoded: that is the
// strict error for str input (the façade repairs it first when errors="replace").
std::string_view utf8_of(const py::handle& obj, const char* name) {
  if (!PyUnicode_Check(obj.ptr())) {
    throw InvalidArgument(std::string(name) + " must be a str, got " +
                          std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
  if (data != nullptr) return {data, static_cast<std::size_t>(size)};
  PyErr_Clear();
  const Py_ssize_t n = PyUnicode_GetLength(obj.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) {
    const Py_UCS4 c = PyUnicode_ReadChar(obj.ptr(), i);
    if (c >= 0xD800 && c <= 0xDFFF) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(c));
      throw InvalidArgument(std::string(name) + " has a lone surrogate U+" + hex + " at index " + std::to_string(i) +
                            ", which is not valid UTF-8; pass errors=\"replace\" to replace it by U+FFFD");
    }
  }
  throw InvalidArgument(std::string(name) + " cannot be encoded as UTF-8");
}

class PyCounter final : public chunk::SizeCounter {
 public:
  explicit PyCounter(py::function fn) : fn_(std::move(fn)) {}
  ~PyCounter() override {
    py::gil_scoped_acquire gil;
    fn_ = py::function();
  }
  std::size_t count(std::string_view text) const override {
    py::gil_scoped_acquire gil;
    const py::object result = fn_(py::str(text.data(), static_cast<py::ssize_t>(text.size())));
    const long long n = result.cast<long long>();  // the façade checks the type
    if (n < 0) throw InvalidArgument("the counter returned " + std::to_string(n) + "; expected a count >= 0");
    return static_cast<std::size_t>(n);
  }

 private:
  py::function fn_;
};

chunk::Embedder wrap_embedder(const py::function& fn) {
  auto holder = std::shared_ptr<py::function>(new py::function(fn), [](py::function* f) {
    py::gil_scoped_acquire gil;
    delete f;
  });
  return [holder](const std::vector<std::string_view>& texts) {
    py::gil_scoped_acquire gil;
    py::list batch;
    for (const auto& t : texts) batch.append(py::str(t.data(), static_cast<py::ssize_t>(t.size())));
    const py::object result = (*holder)(batch);
    const MatrixView<float> m = as_matrix<float>(result, "embedder result");
    chunk::Embeddings e;
    e.rows = m.rows;
    e.dim = m.cols;
    e.values.assign(m.data, m.data + m.rows * m.cols);
    return e;
  };
}

Options make_options(const std::string& method, std::size_t chunk_size, std::size_t overlap, const std::string& unit,
                     std::shared_ptr<const Tokenizer> tokenizer, const Counter& counter, bool add_special_tokens,
                     const std::optional<std::vector<std::string>>& separators, const std::string& preset,
                     const EmbedderFn& embedder, std::size_t window, double breakpoint_percentile) {
  Options o;
  o.method = chunk::parse_method(method);
  o.unit = chunk::parse_unit(unit);
  o.chunk_size = chunk_size;
  o.overlap = overlap;
  o.tokenizer = std::move(tokenizer);
  if (counter) o.counter = std::make_shared<PyCounter>(*counter);
  o.add_special_tokens = add_special_tokens;
  if (separators) o.separators = *separators;
  o.preset = preset;
  if (embedder) o.embedder = wrap_embedder(*embedder);
  o.window = window;
  o.breakpoint_percentile = breakpoint_percentile;
  chunk::validate(o);
  return o;
}

// (start, end, byte_start, byte_end, size) as int64 arrays, and the heading paths.
ChunkArrays to_python(const std::vector<Chunk>& chunks) {
  const auto n = static_cast<py::ssize_t>(chunks.size());
  py::array_t<std::int64_t> start(n), end(n), byte_start(n), byte_end(n), size(n);
  auto s = start.mutable_unchecked<1>(), e = end.mutable_unchecked<1>(), bs = byte_start.mutable_unchecked<1>(),
       be = byte_end.mutable_unchecked<1>(), z = size.mutable_unchecked<1>();
  py::list paths;
  bool any_path = false;
  for (py::ssize_t i = 0; i < n; ++i) {
    const Chunk& c = chunks[static_cast<std::size_t>(i)];
    s(i) = static_cast<std::int64_t>(c.start);
    e(i) = static_cast<std::int64_t>(c.end);
    bs(i) = static_cast<std::int64_t>(c.byte_start);
    be(i) = static_cast<std::int64_t>(c.byte_end);
    z(i) = static_cast<std::int64_t>(c.size);
    any_path = any_path || !c.heading_path.empty();
  }
  py::object heading_paths = py::none();
  if (any_path) {
    for (const Chunk& c : chunks) paths.append(py::cast(c.heading_path));
    heading_paths = paths;
  }
  return py::reinterpret_steal<ChunkArrays>(
      py::make_tuple(start, end, byte_start, byte_end, size, heading_paths).release());
}

const char* kOptionsDoc =
    "method: token | sentence | recursive | markdown | semantic; unit: chars | words | tokens. "
    "Returns (start, end, byte_start, byte_end, size) int64 arrays and the heading paths (or None).";

}  // namespace

void register_chunk(py::module_& m) {
  py::class_<Tokenizer, std::shared_ptr<Tokenizer>>(
      m, "Tokenizer",
      "A HuggingFace tokenizer.json (WordPiece with the BERT normaliser, or byte-level BPE), counted in C++.")
      .def_static(
          "from_file",
          [](const py::object& path) {
            return std::const_pointer_cast<Tokenizer>(Tokenizer::from_file(path_of(path)));
          },
          py::arg("path"), "Reads a tokenizer.json file.")
      .def_static(
          "from_str",
          [](const py::object& json) {
            const std::string_view text = utf8_of(json, "json");
            return std::const_pointer_cast<Tokenizer>(Tokenizer::from_json(text));
          },
          py::arg("json"), "Parses the JSON text of a tokenizer.json.")
      .def(
          "encode",
          [](const Tokenizer& t, const py::object& text, bool add_special_tokens) {
            const std::string_view s = utf8_of(text, "text");
            std::vector<std::uint32_t> ids;
            {
              py::gil_scoped_release release;
              ids = t.encode(s, add_special_tokens);
            }
            return ids;
          },
          py::arg("text"), py::arg("add_special_tokens") = false,
          "Token ids, as HuggingFace's encode(text, add_special_tokens=...) without truncation or padding.")
      .def(
          "count",
          [](const Tokenizer& t, const py::object& text, bool add_special_tokens) {
            const std::string_view s = utf8_of(text, "text");
            py::gil_scoped_release release;
            return t.count(s, add_special_tokens);
          },
          py::arg("text"), py::arg("add_special_tokens") = false,
          "Number of tokens encode() returns (memoised per word).")
      .def_property_readonly("special_tokens_added", &Tokenizer::special_tokens_added,
                             "Tokens the post-processor adds around one sequence (2 for BERT's [CLS] ... [SEP]).")
      .def("clear_cache", &Tokenizer::clear_cache, "Forgets the memoised per-word counts.")
      .def_property_readonly("model_type", [](const Tokenizer& t) { return std::string(t.model_type()); })
      .def_property_readonly("vocab_size", &Tokenizer::vocab_size);

  m.def(
      "chunk_text",
      [](const py::object& text, const std::string& method, std::size_t chunk_size, std::size_t overlap,
         const std::string& unit, std::shared_ptr<Tokenizer> tokenizer, const Counter& counter, bool add_special_tokens,
         std::optional<std::vector<std::string>> separators, const std::string& preset, const EmbedderFn& embedder,
         std::size_t window, double breakpoint_percentile) {
        const std::string_view s = utf8_of(text, "text");
        const Options o = make_options(method, chunk_size, overlap, unit, std::move(tokenizer), counter,
                                       add_special_tokens, separators, preset, embedder, window, breakpoint_percentile);
        std::vector<Chunk> chunks;
        {
          py::gil_scoped_release release;  // `text` is kept alive by the caller
          chunks = chunk::chunk_text(s, o);
        }
        return to_python(chunks);
      },
      py::arg("text"), py::arg("method"), py::arg("chunk_size"), py::arg("overlap"), py::arg("unit"),
      py::arg("tokenizer").none(true), py::arg("counter").none(true), py::arg("add_special_tokens"),
      py::arg("separators").none(true), py::arg("preset"), py::arg("embedder").none(true), py::arg("window"),
      py::arg("breakpoint_percentile"), (std::string("Chunks one document. ") + kOptionsDoc).c_str());

  m.def(
      "chunk_batch",
      [](const py::typing::List<py::str>& texts, const std::string& method, std::size_t chunk_size, std::size_t overlap,
         const std::string& unit, std::shared_ptr<Tokenizer> tokenizer, const Counter& counter, bool add_special_tokens,
         std::optional<std::vector<std::string>> separators, const std::string& preset, const EmbedderFn& embedder,
         std::size_t window, double breakpoint_percentile) {
        std::vector<std::string_view> views;
        views.reserve(texts.size());
        for (std::size_t i = 0; i < texts.size(); ++i)
          views.push_back(utf8_of(texts[i], ("texts[" + std::to_string(i) + "]").c_str()));
        const Options o = make_options(method, chunk_size, overlap, unit, std::move(tokenizer), counter,
                                       add_special_tokens, separators, preset, embedder, window, breakpoint_percentile);
        std::vector<std::vector<Chunk>> results;
        {
          py::gil_scoped_release release;  // the list holds every text alive
          results = chunk::chunk_batch(views, o);
        }
        py::typing::List<ChunkArrays> out;
        for (const auto& chunks : results) out.append(to_python(chunks));
        return out;
      },
      py::arg("texts"), py::arg("method"), py::arg("chunk_size"), py::arg("overlap"), py::arg("unit"),
      py::arg("tokenizer").none(true), py::arg("counter").none(true), py::arg("add_special_tokens"),
      py::arg("separators").none(true), py::arg("preset"), py::arg("embedder").none(true), py::arg("window"),
      py::arg("breakpoint_percentile"),
      (std::string("Chunks many documents in parallel (OpenMP, GIL released). ") + kOptionsDoc).c_str());

  py::class_<chunk::FileChunker>(m, "FileChunker", "Chunks a file window by window (see ragkernel.chunk_file).")
      .def(py::init([](const py::object& path, const std::string& method, std::size_t chunk_size, std::size_t overlap,
                       const std::string& unit, std::shared_ptr<Tokenizer> tokenizer, const Counter& counter,
                       bool add_special_tokens, std::optional<std::vector<std::string>> separators,
                       const std::string& preset, const EmbedderFn& embedder, std::size_t window,
                       double breakpoint_percentile, const std::string& errors, std::size_t window_bytes) {
             Options o = make_options(method, chunk_size, overlap, unit, std::move(tokenizer), counter,
                                      add_special_tokens, separators, preset, embedder, window, breakpoint_percentile);
             return std::make_unique<chunk::FileChunker>(path_of(path), std::move(o), chunk::parse_utf8_errors(errors),
                                                         window_bytes);
           }),
           py::arg("path"), py::arg("method"), py::arg("chunk_size"), py::arg("overlap"), py::arg("unit"),
           py::arg("tokenizer").none(true), py::arg("counter").none(true), py::arg("add_special_tokens"),
           py::arg("separators").none(true), py::arg("preset"), py::arg("embedder").none(true), py::arg("window"),
           py::arg("breakpoint_percentile"), py::arg("errors"), py::arg("window_bytes"))
      .def(
          "next_window",
          [](chunk::FileChunker& self)
              -> py::typing::Optional<py::typing::Tuple<py::str, py::int_, py::int_, ChunkArrays>> {
            std::vector<Chunk> chunks;
            std::string text;
            std::size_t byte_start = 0, start = 0;
            bool more = false;
            {
              py::gil_scoped_release release;
              more = self.next(chunks, text, byte_start, start);
            }
            if (!more) return py::none();
            return py::make_tuple(py::str(text), start, byte_start, to_python(chunks));
          },
          "(window_text, window_start, window_byte_start, chunk arrays) of the next window, or None at the end.");

  m.def(
      "recursive_presets",
      []() -> py::typing::Dict<py::str, py::typing::List<py::str>> {
        py::dict d;
        for (const auto& name : chunk::recursive_presets()) d[py::str(name)] = chunk::preset_separators(name);
        return d;
      },
      "The separator presets of the recursive chunker.");
}

}  // namespace ragkernel::py_bindings

#pragma once
// Python dicts, lists and scalars -> ragkernel::filter::Json, and metadata values back to
// Python. Conversion only: the core validates filters and metadata.
#include <pybind11/pybind11.h>

#include <string>

#include "ragkernel/error.hpp"
#include "ragkernel/filter/json.hpp"
#include "ragkernel/filter/metadata_store.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

inline filter::Json to_json(const py::handle& obj, int depth = 0) {
  if (depth > 64) throw InvalidArgument("filter or metadata nests deeper than 64 levels");
  if (obj.is_none()) return {nullptr};
  if (py::isinstance<py::bool_>(obj)) return {obj.cast<bool>()};  // before int: bool is an int in Python
  if (py::isinstance<py::int_>(obj)) {
    try {
      return {obj.cast<std::int64_t>()};
    } catch (const py::cast_error&) {
      throw InvalidArgument("integer " + std::string(py::str(obj)) + " does not fit in 64 bits");
    }
  }
  if (py::isinstance<py::float_>(obj)) return {obj.cast<double>()};
  if (py::isinstance<py::str>(obj)) return {obj.cast<std::string>()};
  if (py::isinstance<py::dict>(obj)) {
    filter::JsonObject out;
    for (auto [key, value] : obj.cast<py::dict>()) {
      if (!py::isinstance<py::str>(key)) {
        throw InvalidArgument("dict keys must be strings, got " +
                              std::string(py::str(py::type::of(key).attr("__name__"))));
      }
      out.emplace_back(key.cast<std::string>(), to_json(value, depth + 1));
    }
    return {std::move(out)};
  }
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
    filter::JsonArray out;
    for (py::handle item : obj) out.push_back(to_json(item, depth + 1));
    return {std::move(out)};
  }
  // numpy scalars and other numbers
  if (py::hasattr(obj, "__index__")) return {obj.attr("__index__")().cast<std::int64_t>()};
  if (py::hasattr(obj, "__float__")) return {obj.attr("__float__")().cast<double>()};
  throw InvalidArgument("unsupported value of type " + std::string(py::str(py::type::of(obj).attr("__name__"))) +
                        "; expected str, int, float, bool, list or dict");
}

inline py::object to_python(const filter::MetadataValue& v) {
  return std::visit([](const auto& x) -> py::object { return py::cast(x); }, v);
}

}  // namespace ragkernel::py_bindings

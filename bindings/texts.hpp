#pragma once
// Python texts -> UTF-8 std::strings, shared by the areas that take documents or queries.
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "ragkernel/error.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

// Texts as UTF-8: str (a lone surrogate cannot be encoded: ValueError naming the text) or
// bytes (passed through; the core checks that they are valid UTF-8).
inline std::vector<std::string> to_texts(const py::list& items, const char* what) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (py::handle item : items) {
    if (PyBytes_Check(item.ptr())) {
      out.emplace_back(PyBytes_AS_STRING(item.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(item.ptr())));
      continue;
    }
    if (!PyUnicode_Check(item.ptr())) {
      throw InvalidArgument(std::string(what) + " " + std::to_string(out.size()) + " must be str or bytes, got " +
                            std::string(py::str(py::type::of(item).attr("__name__"))));
    }
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
    if (data == nullptr) {
      PyErr_Clear();
      throw InvalidArgument(std::string(what) + " " + std::to_string(out.size()) +
                            " cannot be encoded as UTF-8 (it contains a lone surrogate)");
    }
    out.emplace_back(data, static_cast<std::size_t>(size));
  }
  return out;
}

}  // namespace ragkernel::py_bindings

#pragma once
// Converts a Python request (dicts, lists, str, int, float, bool, None) into a store::Value.
// Anything else is a ValueError naming where it was found: request['messages'][0]['content'].
#include <pybind11/pybind11.h>

#include <string>

#include "ragkernel/error.hpp"
#include "ragkernel/store/value.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

inline store::Value to_value(const py::handle& obj, std::string& path, int depth = 0) {
  if (depth > 64) throw InvalidArgument(path + " nests deeper than 64 levels");
  if (obj.is_none()) return store::Value();
  if (PyBool_Check(obj.ptr())) return store::Value(obj.ptr() == Py_True);
  if (PyLong_Check(obj.ptr())) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (overflow != 0) throw InvalidArgument(path + " is an integer outside the 64-bit range");
    return store::Value(static_cast<std::int64_t>(v));
  }
  if (PyFloat_Check(obj.ptr())) return store::Value(PyFloat_AS_DOUBLE(obj.ptr()));
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
    if (data == nullptr) throw py::error_already_set();
    return store::Value(std::string(data, static_cast<std::size_t>(size)));
  }
  const std::size_t mark = path.size();
  if (PyDict_Check(obj.ptr())) {
    store::Value::Object members;
    members.reserve(static_cast<std::size_t>(PyDict_Size(obj.ptr())));
    PyObject *key = nullptr, *value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(obj.ptr(), &pos, &key, &value)) {
      if (!PyUnicode_Check(key)) {
        throw InvalidArgument(path + " has a key of type " + std::string(py::str(py::type::of(key).attr("__name__"))) +
                              "; expected str keys");
      }
      std::string name = py::reinterpret_borrow<py::str>(key).cast<std::string>();
      path.append("['").append(name).append("']");
      store::Value v = to_value(value, path, depth + 1);
      path.resize(mark);
      members.emplace_back(std::move(name), std::move(v));
    }
    return store::Value(std::move(members));
  }
  if (PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr())) {
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    store::Value::Array items;
    items.reserve(seq.size());
    for (std::size_t i = 0; i < seq.size(); ++i) {
      path.append("[").append(std::to_string(i)).append("]");
      items.push_back(to_value(seq[i], path, depth + 1));
      path.resize(mark);
    }
    return store::Value(std::move(items));
  }
  throw InvalidArgument(path + " has type " + std::string(py::str(py::type::of(obj).attr("__name__"))) +
                        "; expected JSON values (dict, list, str, int, float, bool, None)");
}

inline store::Value request_value(const py::handle& request) {
  if (!PyDict_Check(request.ptr())) {
    throw InvalidArgument("request must be a dict (an OpenAI-style chat request), got " +
                          std::string(py::str(py::type::of(request).attr("__name__"))));
  }
  std::string path = "request";
  return to_value(request, path);
}

}  // namespace ragkernel::py_bindings

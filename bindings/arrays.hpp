#pragma once
// Checks numpy arguments before the core sees them: exact dtype, dimensions, C-contiguity.
// Nothing is converted silently (a float64 array is an error naming the fix, not a hidden
// copy). Violations throw ragkernel::InvalidArgument, which the bindings map to ValueError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <span>
#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

template <class T>
struct MatrixView {
  const T* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
};

template <class T>
constexpr const char* dtype_label() {
  if constexpr (std::is_same_v<T, float>)
    return "float32";
  else if constexpr (std::is_same_v<T, double>)
    return "float64";
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return "int8";
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return "uint8";
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return "int32";
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return "uint32";
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return "int64";
  else
    return "unknown";
}

// The argument as a C-contiguous array of T with ndim in [min_ndim, max_ndim].
template <class T>
py::array require_array(const py::handle& obj, const char* name, int min_ndim, int max_ndim) {
  if (!py::isinstance<py::array>(obj)) {
    throw InvalidArgument(std::string(name) + " must be a numpy.ndarray of " + dtype_label<T>() + ", got " +
                          std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  auto array = py::reinterpret_borrow<py::array>(obj);
  if (!array.dtype().is(py::dtype::of<T>())) {
    throw InvalidArgument(std::string(name) + " must have dtype " + dtype_label<T>() + ", got " +
                          std::string(py::str(array.dtype())) + " (convert with .astype(numpy." + dtype_label<T>() +
                          "))");
  }
  const int ndim = static_cast<int>(array.ndim());
  if (ndim < min_ndim || ndim > max_ndim) {
    const std::string want = min_ndim == max_ndim
                                 ? std::to_string(min_ndim) + "-D"
                                 : std::to_string(min_ndim) + "-D or " + std::to_string(max_ndim) + "-D";
    throw InvalidArgument(std::string(name) + " must be a " + want + " array, got " + std::to_string(ndim) +
                          "-D with shape " + std::string(py::str(array.attr("shape"))));
  }
  if (!(array.flags() & py::array::c_style)) {
    throw InvalidArgument(std::string(name) + " must be C-contiguous (row-major); pass numpy.ascontiguousarray(" +
                          name + ")");
  }
  return array;
}

template <class T>
std::span<const T> as_vector(const py::handle& obj, const char* name) {
  py::array array = require_array<T>(obj, name, 1, 1);
  return {static_cast<const T*>(array.data()), static_cast<std::size_t>(array.shape(0))};
}

// A 2-D array, or a 1-D array taken as a single row when allow_1d is true.
template <class T>
MatrixView<T> as_matrix(const py::handle& obj, const char* name, bool allow_1d = false) {
  py::array array = require_array<T>(obj, name, allow_1d ? 1 : 2, 2);
  if (array.ndim() == 1) return {static_cast<const T*>(array.data()), 1, static_cast<std::size_t>(array.shape(0))};
  return {static_cast<const T*>(array.data()), static_cast<std::size_t>(array.shape(0)),
          static_cast<std::size_t>(array.shape(1))};
}

inline void require_same_dim(std::size_t got, std::size_t want, const char* what) {
  if (got != want) {
    throw InvalidArgument(std::string(what) + " has dimension " + std::to_string(got) + ", expected " +
                          std::to_string(want));
  }
}

}  // namespace ragkernel::py_bindings

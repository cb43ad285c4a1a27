// The one place C++ exceptions become Python exceptions.
#include <pybind11/gil_safe_call_once.h>
#include <pybind11/pybind11.h>

#include "areas.hpp"
#include "ragkernel/error.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {

void register_errors(py::module_& m) {
  PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> corruption_error;
  corruption_error.call_once_and_store_result(
      [&m]() { return py::exception<Corruption>(m, "CorruptionError", PyExc_OSError); });
  corruption_error.get_stored().attr("__doc__") =
      "Stored data failed an integrity check (checksum, magic, version or truncated file).";

  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const InvalidArgument& e) {
      py::set_error(PyExc_ValueError, e.what());
    } catch (const NotFound& e) {
      py::set_error(PyExc_KeyError, e.what());
    } catch (const Corruption& e) {
      py::set_error(corruption_error.get_stored(), e.what());
    } catch (const IOError& e) {
      py::set_error(PyExc_OSError, e.what());
    } catch (const Error& e) {
      py::set_error(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace ragkernel::py_bindings

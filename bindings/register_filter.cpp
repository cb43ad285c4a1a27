// Metadata and filters for Python: dicts become ragkernel::filter::Json here; the core checks
// them, stores the metadata and compiles filters into allow-sets.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <string>
#include <vector>

#include "areas.hpp"
#include "json_convert.hpp"
#include "ragkernel/error.hpp"
#include "ragkernel/filter/filter.hpp"
#include "ragkernel/filter/metadata_store.hpp"
#include "ragkernel/id_map.hpp"

namespace py = pybind11;

namespace ragkernel::py_bindings {
namespace {

// String ids over the core MetadataStore.
struct KeyedMetadata {
  IdMap ids;
  filter::MetadataStore store;
};

}  // namespace

void register_filter(py::module_& m) {
  m.def(
      "check_filter", [](const py::typing::Dict<py::str, py::object>& f) { filter::parse_filter(to_json(f)); },
      py::arg("filter"), "Raises ValueError if the filter is not valid syntax.");

  py::class_<KeyedMetadata>(m, "MetadataStore", "Typed metadata per string id, queried with filters.")
      .def(py::init<>())
      .def(
          "set",
          [](KeyedMetadata& self, const std::vector<std::string>& ids,
             const py::typing::List<py::typing::Dict<py::str, py::object>>& records) {
            if (ids.size() != records.size()) {
              throw InvalidArgument("set got " + std::to_string(ids.size()) + " ids but " +
                                    std::to_string(records.size()) + " metadata records");
            }
            std::vector<filter::Metadata> parsed;
            parsed.reserve(records.size());
            for (py::handle r : records) parsed.push_back(filter::metadata_from_json(to_json(r)));
            std::vector<std::string> sorted(ids);
            std::sort(sorted.begin(), sorted.end());
            if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
              throw InvalidArgument("id '" + *dup + "' appears twice in one set");
            }
            std::vector<std::uint32_t> internal;
            std::vector<std::string> fresh;
            for (const std::string& k : ids) {
              auto [id, inserted] = self.ids.insert(k);
              internal.push_back(id);
              if (inserted) fresh.push_back(k);
            }
            try {
              self.store.set(internal, parsed);
            } catch (...) {
              for (const std::string& k : fresh) self.ids.erase(k);
              throw;
            }
          },
          py::arg("ids"), py::arg("metadata"), "Replaces the metadata of each id (all-or-nothing).")
      .def(
          "get",
          [](const KeyedMetadata& self, const std::string& id) {
            const auto internal = self.ids.find(id);
            if (!internal) throw NotFound("id '" + id + "' has no metadata");
            py::typing::Dict<py::str, py::object> out;
            for (const auto& [field, value] : self.store.get(*internal)) out[py::str(field)] = to_python(value);
            return out;
          },
          py::arg("id"))
      .def(
          "remove",
          [](KeyedMetadata& self, const std::vector<std::string>& ids) {
            std::vector<std::uint32_t> internal;
            for (const std::string& k : ids) {
              const auto id = self.ids.find(k);
              if (!id) throw NotFound("id '" + k + "' has no metadata");
              internal.push_back(*id);
            }
            self.store.remove(internal);
            for (const std::string& k : ids) self.ids.erase(k);
          },
          py::arg("ids"))
      .def(
          "match",
          [](const KeyedMetadata& self, const py::typing::Dict<py::str, py::object>& f) {
            const filter::Filter parsed = filter::parse_filter(to_json(f));
            std::vector<std::uint32_t> hits;
            {
              py::gil_scoped_release release;
              hits = self.store.match_ids(parsed);
            }
            std::vector<std::string> out;
            out.reserve(hits.size());
            for (std::uint32_t id : hits) out.emplace_back(self.ids.key(id));
            return out;
          },
          py::arg("filter"), "Ids whose metadata satisfies the filter, in internal-id order.")
      .def("field_types",
           [](const KeyedMetadata& self) {
             py::typing::Dict<py::str, py::str> out;
             for (const std::string& f : self.store.fields()) {
               out[py::str(f)] = filter::field_type_name(*self.store.field_type(f));
             }
             return out;
           })
      .def(
          "contains", [](const KeyedMetadata& self, const std::string& id) { return self.ids.contains(id); },
          py::arg("id"))
      .def("__len__", [](const KeyedMetadata& self) { return self.store.size(); });
}

}  // namespace ragkernel::py_bindings

#pragma once
// Keyword arguments shared by every store-backed class: how to open, which cache, durability.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/typing.h>

#include <optional>
#include <string>

#include "ragkernel/error.hpp"
#include "ragkernel/store/store.hpp"

namespace ragkernel::py_bindings {

namespace py = pybind11;

inline store::Access parse_access(const std::string& access) {
  if (access == "read_write") return store::Access::read_write;
  if (access == "read_only") return store::Access::read_only;
  if (access == "secondary") return store::Access::secondary;
  throw InvalidArgument("access is '" + access + "'; expected 'read_write', 'read_only' or 'secondary'");
}

inline store::StoreOptions store_options(const std::string& access, const std::optional<store::BlockCache>& block_cache,
                                         std::size_t block_cache_bytes, bool sync) {
  store::StoreOptions options;
  options.access = parse_access(access);
  options.block_cache = block_cache;
  options.block_cache_bytes = block_cache_bytes;
  options.sync = sync;
  return options;
}

// Store stats as a dict: sizes per family, disk bytes, block-cache and bloom counters.
using Dict = py::typing::Dict<py::str, py::object>;

inline Dict stats_dict(const store::StoreStats& s) {
  py::dict families;
  for (const store::FamilyStats& f : s.families) {
    py::dict d;
    d["estimated_keys"] = f.estimated_keys;
    d["sst_bytes"] = f.sst_bytes;
    d["memtable_bytes"] = f.memtable_bytes;
    families[py::str(f.name)] = d;
  }
  py::dict cache;
  cache["capacity"] = s.block_cache_capacity;
  cache["usage"] = s.block_cache_usage;
  cache["hits"] = s.block_cache_hits;
  cache["misses"] = s.block_cache_misses;
  cache["hit_rate"] = s.block_cache_hit_rate();
  py::dict bloom;
  bloom["checked"] = s.bloom_checked;
  bloom["useful"] = s.bloom_useful;
  Dict out;
  out["families"] = families;
  out["disk_bytes"] = s.disk_bytes;
  out["wal_bytes"] = s.wal_bytes;
  out["block_cache"] = cache;
  out["bloom"] = bloom;
  return out;
}

// The methods every store-backed class has, given how to reach its Store.
template <class Class, class GetStore>
void add_store_methods(py::class_<Class>& cls, GetStore get_store) {
  cls.def(
         "store_stats",
         [get_store](Class& self) {
           store::StoreStats s;
           {
             py::gil_scoped_release release;
             s = get_store(self).stats();
           }
           return stats_dict(s);
         },
         "RocksDB statistics: per-family keys and bytes, disk bytes, block-cache hits and misses.")
      .def(
          "compact", [get_store](Class& self) { get_store(self).compact(); }, py::call_guard<py::gil_scoped_release>(),
          "Flush and fully compact every family (expired entries are dropped).")
      .def(
          "verify", [get_store](Class& self) { get_store(self).verify(); }, py::call_guard<py::gil_scoped_release>(),
          "Read every file and check its checksums; raises CorruptionError.")
      .def(
          "close", [get_store](Class& self) { get_store(self).close(); }, py::call_guard<py::gil_scoped_release>(),
          "Close the store; later calls raise ValueError.")
      .def_property_readonly("closed", [get_store](Class& self) { return get_store(self).closed(); })
      .def_property_readonly("path", [get_store](Class& self) { return get_store(self).path(); })
      .def_property_readonly("access", [get_store](Class& self) {
        switch (get_store(self).access()) {
          case store::Access::read_write: return std::string("read_write");
          case store::Access::read_only: return std::string("read_only");
          case store::Access::secondary: return std::string("secondary");
        }
        return std::string();
      });
}

}  // namespace ragkernel::py_bindings

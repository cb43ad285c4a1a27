# Every dependency comes from the system (Debian packages or the Python build environment).
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(xsimd REQUIRED)
find_package(RocksDB REQUIRED CONFIG)
# ICU: Unicode properties, case mapping and word boundaries for the text analyzer.
find_package(ICU 60 REQUIRED COMPONENTS uc data)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)  # SHA-256 for cache keys

find_library(RAGKERNEL_STEMMER_LIBRARY NAMES stemmer REQUIRED)
find_path(RAGKERNEL_STEMMER_INCLUDE_DIR NAMES libstemmer.h REQUIRED)
if(NOT TARGET ragkernel_stemmer)
  add_library(ragkernel_stemmer UNKNOWN IMPORTED)
  set_target_properties(ragkernel_stemmer PROPERTIES IMPORTED_LOCATION "${RAGKERNEL_STEMMER_LIBRARY}"
                                                     INTERFACE_INCLUDE_DIRECTORIES "${RAGKERNEL_STEMMER_INCLUDE_DIR}")
endif()

# Chunking: tokenizer.json is parsed with nlohmann/json (header-only, private). Unicode
# properties and normalization for the BERT tokenizer come from ICU, like the analyzer's.
find_package(nlohmann_json 3.10 REQUIRED)

if(RAGKERNEL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(RAGKERNEL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
if(RAGKERNEL_BUILD_PYTHON)
  find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 CONFIG REQUIRED)
endif()

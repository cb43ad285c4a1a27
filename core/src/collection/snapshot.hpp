#pragma once
// Index snapshots of a durable collection: per generation, one file per index beside the RocksDB
// files (`vectors-<generation>.rkv`, the vector index's own checksummed format, and
// `lexical-<generation>.rkl`, InvertedIndex::to_bytes). The manifest
// names the current generation and the last logged change it contains; a new file is written
// and synced before the manifest points at it, and the previous generation is kept one round
// longer for secondaries that are still opening it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ragkernel/text/inverted_index.hpp"
#include "ragkernel/vector/index.hpp"

namespace ragkernel::collection::detail {

std::string snapshot_path(const std::string& dir, std::uint64_t generation);

// Saves the index and syncs the file and the directory. Returns the file's size.
std::uint64_t write_snapshot(const vector::Index& index, const std::string& dir, std::uint64_t generation);

// Loads a generation; Corruption (naming the file and how to recover) when it is missing or damaged.
std::unique_ptr<vector::Index> read_snapshot(const std::string& dir, std::uint64_t generation, bool mmap);

std::string lexical_snapshot_path(const std::string& dir, std::uint64_t generation);
// Writes the lexical index beside, syncs it, renames it into place and syncs the directory.
std::uint64_t write_lexical_snapshot(const text::InvertedIndex& index, const std::string& dir,
                                     std::uint64_t generation);
// Corruption (naming the file and how to recover) when it is missing or damaged.
text::InvertedIndex read_lexical_snapshot(const std::string& dir, std::uint64_t generation);

// Generations present in the directory.
std::vector<std::uint64_t> snapshot_generations(const std::string& dir);

// Removes every snapshot file (of either index) except generations `keep` and `keep - 1`, and
// leftover temporary files.
void remove_old_snapshots(const std::string& dir, std::uint64_t keep);

}  // namespace ragkernel::collection::detail

#pragma once
// One document (or one streaming window) through a chunker, to finished chunks.
#include <string_view>
#include <vector>

#include "ragkernel/chunk/chunk.hpp"
#include "splitters.hpp"

namespace ragkernel::chunk::detail {

// Chunks valid UTF-8 `text`; offsets are relative to it. `headings` carries the markdown
// heading path in and out (streaming). Options must have been validated.
std::vector<Chunk> chunk_document(std::string_view text, const Options& options, HeadingStack& headings);

// Fills start/end (code points) of chunks whose byte offsets are set; `base` code points are
// added to every offset.
void set_code_point_offsets(std::string_view text, std::vector<Chunk>& chunks, std::size_t base = 0);

}  // namespace ragkernel::chunk::detail

#pragma once
// UTF-8 checks for the chunkers. Chunk offsets are counted in code points (Python `str`
// indices) and in bytes, and no chunk boundary ever falls inside a code point, so the text a
// chunker sees must be valid UTF-8: either checked (strict) or repaired (replace).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ragkernel::chunk {

enum class Utf8Errors {
  strict,   // invalid UTF-8 is an InvalidArgument naming its byte offset
  replace,  // each maximal invalid subsequence becomes U+FFFD, as Python's bytes.decode(errors="replace")
};

// Parses "strict" or "replace"; anything else is an InvalidArgument naming the choices.
Utf8Errors parse_utf8_errors(std::string_view name);

// The byte offset of the first invalid sequence, or nullopt when `text` is valid UTF-8.
// Surrogate code points (U+D800..U+DFFF), overlong forms and values past U+10FFFF are invalid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

// nullopt when `text` is valid; otherwise throws (strict) or returns the repaired text (replace).
std::optional<std::string> sanitize_utf8(std::string_view text, Utf8Errors errors);

// Number of code points in valid UTF-8 text.
std::size_t count_code_points(std::string_view text) noexcept;

}  // namespace ragkernel::chunk

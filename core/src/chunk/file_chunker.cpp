// Streaming a file through a chunker, one window at a time.
#include "ragkernel/chunk/file_chunker.hpp"

#include <algorithm>

#include "document.hpp"
#include "ragkernel/error.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk {
namespace {

bool is_fence_line(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && i < 4 && line[i] == ' ') ++i;
  return i <= 3 && line.size() >= i + 3 && (line.compare(i, 3, "```") == 0 || line.compare(i, 3, "~~~") == 0);
}

// Where to end a window: after the last blank line (outside code fences when `fences`), else
// after the last line break, else after the last space, else at a code point boundary.
std::size_t find_cut(std::string_view text, bool fences) {
  const std::size_t floor = text.size() / 4;
  std::size_t best = 0;
  bool in_fence = false, previous_blank = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;
    const std::string_view line = text.substr(pos, nl - pos);
    if (fences && is_fence_line(line)) in_fence = !in_fence;
    const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (previous_blank && !blank && !in_fence) best = pos;
    previous_blank = blank;
    pos = nl + 1;
  }
  if (best > floor) return best;
  const std::size_t nl = text.rfind('\n');
  if (nl != std::string_view::npos && nl + 1 > floor) return nl + 1;
  const std::size_t space = text.find_last_of(" \t");
  if (space != std::string_view::npos && space + 1 > floor) return space + 1;
  return detail::floor_boundary(text, text.size() - 1);
}

// Bytes at the end of `data` that start a code point not yet complete.
std::size_t incomplete_tail(std::string_view data) {
  std::size_t j = data.size();
  while (j > 0 && data.size() - j < 3 && detail::is_continuation(static_cast<unsigned char>(data[j - 1]))) --j;
  if (j == 0) return 0;
  const auto lead = static_cast<unsigned char>(data[j - 1]);
  if (lead < 0xC0 || lead > 0xF4) return 0;
  const std::size_t have = data.size() - (j - 1);
  return have < detail::sequence_length(lead) ? have : 0;
}

}  // namespace

struct FileChunker::State {
  std::ifstream in;
  std::string path;
  Options options;
  Utf8Errors errors;
  std::size_t window_bytes;
  std::string carry;             // valid text read but not chunked yet
  std::string raw_tail;          // bytes of a code point cut by the last read
  std::size_t raw_consumed = 0;  // file bytes turned into text so far
  std::size_t byte_base = 0, cp_base = 0, index_base = 0;
  detail::HeadingStack headings;
  bool eof = false;

  void append(std::string_view raw, bool last) {
    std::string data = raw_tail + std::string(raw);
    const std::size_t hold = last ? 0 : incomplete_tail(data);
    raw_tail = data.substr(data.size() - hold);
    data.resize(data.size() - hold);
    if (const auto bad = find_invalid_utf8(data)) {
      if (errors == Utf8Errors::strict) {
        throw InvalidArgument("invalid UTF-8 at byte " + std::to_string(raw_consumed + *bad) + " of \"" + path +
                              "\"; expected valid UTF-8, or pass errors=\"replace\"");
      }
      raw_consumed += data.size();
      carry += *sanitize_utf8(data, Utf8Errors::replace);
      return;
    }
    raw_consumed += data.size();
    carry += data;
  }

  void fill() {
    std::string buffer;
    while (!eof && carry.size() < window_bytes) {
      buffer.resize(window_bytes - carry.size());
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (in.bad()) throw IOError("cannot read \"" + path + "\"");
      eof = got < buffer.size();
      append(std::string_view(buffer).substr(0, got), eof);
    }
  }
};

FileChunker::FileChunker(const std::string& path, Options options, Utf8Errors errors, std::size_t window_bytes)
    : state_(std::make_unique<State>()) {
  validate(options);
  if (window_bytes < 64) throw InvalidArgument("window_bytes must be at least 64, got " + std::to_string(window_bytes));
  state_->in.open(path, std::ios::binary);
  if (!state_->in) throw IOError("cannot open \"" + path + "\" for reading");
  state_->path = path;
  state_->options = std::move(options);
  state_->errors = errors;
  state_->window_bytes = window_bytes;
}

FileChunker::~FileChunker() = default;

bool FileChunker::next(std::vector<Chunk>& chunks, std::string& window_text, std::size_t& window_byte_start,
                       std::size_t& window_start) {
  State& s = *state_;
  s.fill();
  chunks.clear();
  if (s.carry.empty()) return false;
  const std::size_t cut = s.eof ? s.carry.size() : find_cut(s.carry, s.options.method == Method::markdown);
  window_text.assign(s.carry, 0, cut);
  s.carry.erase(0, cut);
  chunks = detail::chunk_document(window_text, s.options, s.headings);
  for (Chunk& c : chunks) {
    c.byte_start += s.byte_base;
    c.byte_end += s.byte_base;
    c.start += s.cp_base;
    c.end += s.cp_base;
    c.index += s.index_base;
  }
  window_byte_start = s.byte_base;
  window_start = s.cp_base;
  s.byte_base += window_text.size();
  s.cp_base += count_code_points(window_text);
  s.index_base += chunks.size();
  return true;
}

}  // namespace ragkernel::chunk

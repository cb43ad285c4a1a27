#pragma once
// Streaming: chunks a file larger than memory, one window at a time.
//
// The file is read in windows of about `window_bytes`; each window is cut at the last blank
// line (outside a code fence), else the last line break, else the last whitespace, and the rest
// is carried into the next window. Chunks never span a cut, and overlap does not reach across
// one. Offsets are into the whole file (after UTF-8 repair when errors == replace), and the
// markdown heading path is carried from window to window.
#include <cstddef>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ragkernel/chunk/chunk.hpp"
#include "ragkernel/chunk/utf8.hpp"

namespace ragkernel::chunk {

class FileChunker {
 public:
  // Throws IOError when the file cannot be opened, InvalidArgument for bad options or a
  // window smaller than 64 bytes.
  FileChunker(const std::string& path, Options options, Utf8Errors errors = Utf8Errors::strict,
              std::size_t window_bytes = std::size_t{8} << 20);
  ~FileChunker();
  FileChunker(const FileChunker&) = delete;
  FileChunker& operator=(const FileChunker&) = delete;

  // The next window's chunks. Returns false at the end of the file. `window_text` receives
  // the window's text and `window_byte_start`/`window_start` its offset in the file, so a
  // chunk's text is window_text.substr(chunk.byte_start - window_byte_start, ...).
  bool next(std::vector<Chunk>& chunks, std::string& window_text, std::size_t& window_byte_start,
            std::size_t& window_start);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ragkernel::chunk

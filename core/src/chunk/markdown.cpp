// Markdown: blocks (ATX and setext headings, fenced code, tables, paragraphs), sections under
// headings with their heading path, blocks packed up to the bound. A fence or a table is one
// piece, so it is split only when it alone exceeds the bound (then by lines).
#include <string>

#include "splitters.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

enum class Kind { paragraph, heading, fence, table };

struct Block {
  Kind kind;
  std::size_t begin, end;  // contiguous: a block runs to the next one's start
  int level = 0;           // headings
  std::string title;
  bool open = true;  // paragraph or table still accepting lines
};

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::size_t indent(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

// A fence opener or closer: up to 3 spaces, then 3+ backticks or tildes.
bool fence_marker(std::string_view line, char& ch, std::size_t& len) {
  const std::size_t i = indent(line);
  if (i > 3 || i >= line.size() || (line[i] != '`' && line[i] != '~')) return false;
  std::size_t j = i;
  while (j < line.size() && line[j] == line[i]) ++j;
  if (j - i < 3) return false;
  ch = line[i];
  len = j - i;
  return true;
}

bool atx_heading(std::string_view line, int& level, std::string& title) {
  const std::size_t i = indent(line);
  if (i > 3) return false;
  std::size_t j = i;
  while (j < line.size() && line[j] == '#') ++j;
  const std::size_t hashes = j - i;
  if (hashes < 1 || hashes > 6) return false;
  if (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' && line[j] != '\n') return false;
  std::string_view rest = strip(line.substr(j));
  while (!rest.empty() && rest.back() == '#') rest.remove_suffix(1);  // closing sequence
  level = static_cast<int>(hashes);
  title = std::string(strip(rest));
  return true;
}

bool setext_underline(std::string_view line, int& level) {
  const std::string_view s = strip(line);
  if (s.empty() || indent(line) > 3) return false;
  const char c = s[0];
  if (c != '=' && c != '-') return false;
  for (const char x : s)
    if (x != c) return false;
  level = c == '=' ? 1 : 2;
  return true;
}

// A table delimiter row: cells of dashes with optional colons, separated by pipes.
bool delimiter_row(std::string_view line) {
  const std::string_view s = strip(line);
  if (s.empty()) return false;
  bool dash = false, pipe = false;
  for (const char c : s) {
    if (c == '-')
      dash = true;
    else if (c == '|')
      pipe = true;
    else if (c != ':' && c != ' ' && c != '\t')
      return false;
  }
  return dash && pipe;
}

std::vector<Block> parse_blocks(std::string_view text, Span span) {
  std::vector<Block> blocks;
  bool in_fence = false, previous_blank = true;
  char fence_char = 0;
  std::size_t fence_len = 0;
  std::size_t pos = span.begin;
  auto add = [&](Kind kind, std::size_t begin) {
    if (blocks.empty()) begin = span.begin;  // leading blank lines belong to the first block
    blocks.push_back(Block{kind, begin, begin, 0, std::string(), true});
  };
  while (pos < span.end) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t line_end = nl == std::string_view::npos || nl >= span.end ? span.end : nl + 1;
    const std::string_view line = text.substr(pos, line_end - pos);
    const std::size_t next_end = [&] {
      if (line_end >= span.end) return span.end;
      const std::size_t n2 = text.find('\n', line_end);
      return n2 == std::string_view::npos || n2 >= span.end ? span.end : n2 + 1;
    }();
    const std::string_view next_line = text.substr(line_end, next_end - line_end);
    char ch = 0;
    std::size_t len = 0;
    int level = 0;
    std::string title;
    const bool blank = strip(line).empty();
    if (in_fence) {
      if (fence_marker(line, ch, len) && ch == fence_char && len >= fence_len && strip(line).size() == len)
        in_fence = false;
    } else if (fence_marker(line, ch, len)) {
      add(Kind::fence, pos);
      in_fence = true;
      fence_char = ch;
      fence_len = len;
    } else if (atx_heading(line, level, title)) {
      add(Kind::heading, pos);
      blocks.back().level = level;
      blocks.back().title = std::move(title);
    } else if (!previous_blank && !blocks.empty() && blocks.back().kind == Kind::paragraph && blocks.back().open &&
               setext_underline(line, level) && blocks.back().end - blocks.back().begin > 0) {
      Block& b = blocks.back();
      b.kind = Kind::heading;
      b.level = level;
      b.title = std::string(strip(text.substr(b.begin, pos - b.begin)));
    } else if (blank) {
      if (!blocks.empty()) blocks.back().open = false;
    } else if (!blocks.empty() && blocks.back().kind == Kind::table && blocks.back().open &&
               line.find('|') != std::string_view::npos) {
      // another table row
    } else if (line.find('|') != std::string_view::npos && delimiter_row(next_line)) {
      add(Kind::table, pos);
    } else if (!blocks.empty() && blocks.back().kind == Kind::paragraph && blocks.back().open) {
      // paragraph continues
    } else {
      add(Kind::paragraph, pos);
    }
    if (blocks.empty()) add(Kind::paragraph, pos);  // only blank lines so far
    blocks.back().end = line_end;
    if (blocks.back().kind == Kind::heading) blocks.back().open = false;
    if (blocks.back().kind == Kind::fence && !in_fence) blocks.back().open = false;
    previous_blank = blank;
    pos = line_end;
  }
  return blocks;
}

// Lines of a block, as pieces.
void split_lines(Span block, std::string_view text, std::vector<Span>& pieces) {
  std::size_t pos = block.begin;
  while (pos < block.end) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos || nl >= block.end ? block.end : nl + 1;
    pieces.push_back({pos, end, block.section});
    pos = end;
  }
}

}  // namespace

void split_markdown(Span span, const Budget& budget, HeadingStack& stack, std::vector<std::vector<std::string>>& paths,
                    std::vector<Span>& out) {
  SpanMeasure& m = budget.measure;
  const std::string_view text = m.text();
  const std::vector<Block> blocks = parse_blocks(text, span);
  const std::vector<std::string> paragraph_separators = preset_separators("text");

  std::vector<Span> pieces;
  auto add_block = [&](const Block& b, int section) {
    const Span s{b.begin, b.end, section};
    if (m.measure(s.begin, s.end) <= budget.size) {
      pieces.push_back(s);
      return;
    }
    if (b.kind == Kind::fence || b.kind == Kind::table) {
      std::vector<Span> lines;
      split_lines(s, text, lines);
      for (const Span& line : lines) {
        if (m.measure(line.begin, line.end) <= budget.size) {
          pieces.push_back(line);
        } else {
          const Budget alone{m, budget.size, 0};
          split_recursive(line, paragraph_separators, true, alone, pieces);
        }
      }
      return;
    }
    const Budget alone{m, budget.size, 0};
    split_recursive(s, paragraph_separators, true, alone, pieces);
  };

  auto current_path = [&]() {
    paths.push_back(stack.titles);
    return static_cast<int>(paths.size()) - 1;
  };
  int section = current_path();
  std::size_t section_blocks = 0;  // blocks in the section besides its heading
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    if (b.kind == Kind::heading) {
      // A heading with nothing under it but a deeper heading stays with that subsection.
      const bool carry = i > 0 && blocks[i - 1].kind == Kind::heading && section_blocks == 0 &&
                         b.level > blocks[i - 1].level && !pieces.empty();
      if (!carry) {
        merge_pieces(pieces, budget, out);
        pieces.clear();
      }
      while (!stack.levels.empty() && stack.levels.back() >= b.level) {
        stack.levels.pop_back();
        stack.titles.pop_back();
      }
      stack.levels.push_back(b.level);
      stack.titles.push_back(b.title);
      section = current_path();
      for (Span& p : pieces) p.section = section;  // the carried parent heading
      section_blocks = 0;
      add_block(b, section);
      continue;
    }
    ++section_blocks;
    add_block(b, section);
  }
  merge_pieces(pieces, budget, out);
}

}  // namespace ragkernel::chunk::detail

// Byte-level BPE: the GPT-2 pre-tokenizer regex, hand-written, and rank-ordered merges.
#include <algorithm>
#include <queue>

#include "tokenizer_model.hpp"
#include "unicode.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

enum class Class { space, letter, number, other };

Class classify(char32_t c) noexcept {
  if (is_white_space(c)) return Class::space;
  if (is_letter(c)) return Class::letter;
  if (is_number(c)) return Class::number;
  return Class::other;
}

Class class_at(std::string_view s, std::size_t pos, std::size_t* next) noexcept {
  std::size_t p = pos;
  const char32_t c = decode(s, p);
  if (next) *next = p;
  return classify(c);
}

// End of the run of characters of class `cls` starting at `pos`.
std::size_t run_end(std::string_view s, std::size_t pos, Class cls) noexcept {
  while (pos < s.size()) {
    std::size_t next = 0;
    if (class_at(s, pos, &next) != cls) break;
    pos = next;
  }
  return pos;
}

}  // namespace

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
std::size_t gpt2_match(std::string_view s, std::size_t pos) noexcept {
  const std::size_t n = s.size();
  if (s[pos] == '\'' && pos + 1 < n) {
    const char a = s[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return pos + 2;
    if (pos + 2 < n) {
      const char b = s[pos + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return pos + 3;
    }
  }
  std::size_t after_first = 0;
  const Class first = class_at(s, pos, &after_first);
  // The optional leading space of the three run alternatives.
  std::size_t body = pos;
  if (s[pos] == ' ' && pos + 1 < n) {
    std::size_t ignored = 0;
    const Class next = class_at(s, pos + 1, &ignored);
    if (next != Class::space) body = pos + 1;
  }
  if (body != pos) {
    const Class cls = class_at(s, body, nullptr);
    return run_end(s, body, cls);
  }
  if (first != Class::space) return run_end(s, pos, first);
  // Whitespace: the run, minus its last character when a non-space follows it.
  const std::size_t end = run_end(s, pos, Class::space);
  if (end == n) return end;
  std::size_t last = end;
  decode_before(s, last);
  return last > pos ? last : end;
}

void BpeModel::encode_piece(std::string_view bytes, std::vector<std::uint32_t>& out) const {
  if (ignore_merges) {
    if (const std::uint32_t* id = vocab.find(bytes)) {
      out.push_back(*id);
      return;
    }
  }
  struct Symbol {
    std::uint32_t id;
    int prev, next;
    bool alive;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(bytes.size());
  for (const char ch : bytes) {
    const std::int64_t id = byte_ids[static_cast<unsigned char>(ch)];
    if (id < 0) {
      if (unk < 0) continue;  // no unknown token: the byte is dropped, as HuggingFace does
      if (!symbols.empty() && symbols.back().id == static_cast<std::uint32_t>(unk)) continue;
      symbols.push_back({static_cast<std::uint32_t>(unk), 0, 0, true});
      continue;
    }
    symbols.push_back({static_cast<std::uint32_t>(id), 0, 0, true});
  }
  const int count = static_cast<int>(symbols.size());
  for (int i = 0; i < count; ++i) {
    symbols[static_cast<std::size_t>(i)].prev = i - 1;
    symbols[static_cast<std::size_t>(i)].next = i + 1 < count ? i + 1 : -1;
  }
  // Lowest rank first; among equal ranks the leftmost pair.
  struct Candidate {
    std::uint32_t rank;
    int left;
    std::uint32_t left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto push_pair = [&](int left) {
    if (left < 0) return;
    const Symbol& a = symbols[static_cast<std::size_t>(left)];
    if (a.next < 0) return;
    const Symbol& b = symbols[static_cast<std::size_t>(a.next)];
    const auto it = merges.find((static_cast<std::uint64_t>(a.id) << 32) | b.id);
    if (it != merges.end()) queue.push({it->second.first, left, a.id, b.id});
  };
  for (int i = 0; i + 1 < count; ++i) push_pair(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& a = symbols[static_cast<std::size_t>(top.left)];
    if (!a.alive || a.id != top.left_id || a.next < 0) continue;
    Symbol& b = symbols[static_cast<std::size_t>(a.next)];
    if (b.id != top.right_id) continue;  // stale: a neighbour changed since this pair was queued
    a.id = merges.at((static_cast<std::uint64_t>(top.left_id) << 32) | top.right_id).second;
    b.alive = false;
    a.next = b.next;
    if (b.next >= 0) symbols[static_cast<std::size_t>(b.next)].prev = top.left;
    push_pair(a.prev);
    push_pair(top.left);
  }
  for (int i = 0; i >= 0 && i < count; i = symbols[static_cast<std::size_t>(i)].next) {
    out.push_back(symbols[static_cast<std::size_t>(i)].id);
  }
}

}  // namespace ragkernel::chunk::detail

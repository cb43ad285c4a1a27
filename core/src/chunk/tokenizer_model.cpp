// Pre-tokenization and memoised counting shared by both model families.
#include "tokenizer_model.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <functional>

#include "piece_memo.hpp"
#include "unicode.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {
namespace {

// BERT's view of an ASCII byte.
enum class AsciiClass : unsigned char { word, space, control, punctuation };

constexpr std::array<AsciiClass, 128> make_ascii_classes() {
  std::array<AsciiClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      t[static_cast<std::size_t>(c)] = AsciiClass::space;
    else if (c < 0x20 || c == 0x7F)
      t[static_cast<std::size_t>(c)] = AsciiClass::control;
    else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
      t[static_cast<std::size_t>(c)] = AsciiClass::punctuation;
    else
      t[static_cast<std::size_t>(c)] = AsciiClass::word;
  }
  return t;
}
constexpr std::array<AsciiClass, 128> kAsciiClasses = make_ascii_classes();

// BERT's normalizer on one piece: drop control characters (clean_text), then NFD, accent
// stripping and lowercasing as configured.
void normalize_bert_piece(const WordPieceModel& m, std::string_view raw, std::string& out) {
  bool plain = true;
  for (const char ch : raw) {
    const auto b = static_cast<unsigned char>(ch);
    plain = plain && b >= 0x20 && b < 0x7F;
  }
  if (plain) {
    for (const char ch : raw) out.push_back(m.lowercase && ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch);
    return;
  }
  std::string kept;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t start = pos;
    const char32_t c = decode(raw, pos);
    if (m.clean_text && is_bert_control(c)) continue;
    kept.append(raw.substr(start, pos - start));
  }
  bert_normalize_word(kept, m.strip_accents, m.lowercase, out);
}

// True when the BERT-normalised form of the non-ASCII character `c` is one punctuation
// character (U+037E GREEK QUESTION MARK normalises to ';').
bool normalizes_to_punctuation(const WordPieceModel& m, std::string_view raw_char) {
  std::string normalized;
  bert_normalize_word(raw_char, m.strip_accents, m.lowercase, normalized);
  if (normalized.empty()) return false;
  std::size_t pos = 0;
  const char32_t c = decode(normalized, pos);
  return pos == normalized.size() && is_punctuation(c);
}

}  // namespace

template <class Emit>
void TokenizerModel::split_segment(std::string_view text, std::size_t base, bool prefix_space, Emit&& emit) const {
  if (kind == Kind::wordpiece) {
    const WordPieceModel& m = wordpiece;
    std::size_t word_begin = 0, word_end = 0;
    bool in_word = false;
    auto flush = [&]() {
      if (in_word) emit(base + word_begin, base + word_end, -1, text.substr(word_begin, word_end - word_begin));
      in_word = false;
    };
    std::size_t pos = 0;
    const std::size_t n = text.size();
    while (pos < n) {
      const std::size_t start = pos;
      const auto b = static_cast<unsigned char>(text[pos]);
      if (b < 0x80) {
        const AsciiClass cls = kAsciiClasses[b];
        if (cls == AsciiClass::word || (cls == AsciiClass::control && !m.clean_text)) {
          if (!in_word) word_begin = start;
          in_word = true;
          ++pos;
          while (pos < n && static_cast<unsigned char>(text[pos]) < 0x80 &&
                 kAsciiClasses[static_cast<unsigned char>(text[pos])] == AsciiClass::word)
            ++pos;
          word_end = pos;
        } else if (cls == AsciiClass::space) {
          ++pos;
          flush();
        } else if (cls == AsciiClass::punctuation) {
          ++pos;
          flush();
          emit(base + start, base + pos, -1, text.substr(start, 1));
        } else {
          ++pos;  // a control character removed by clean_text; the word goes on around it
        }
        continue;
      }
      const char32_t c = decode(text, pos);
      const std::string_view raw = text.substr(start, pos - start);
      if (m.clean_text && is_bert_control(c)) continue;  // removed; the word goes on around it
      if (is_white_space(c)) {
        flush();
      } else if ((m.handle_chinese_chars && is_cjk(c)) || is_punctuation(c) || normalizes_to_punctuation(m, raw)) {
        flush();
        emit(base + start, base + pos, -1, raw);
      } else {
        if (!in_word) word_begin = start;
        in_word = true;
        word_end = pos;
      }
    }
    flush();
    return;
  }
  // Byte-level BPE: GPT-2 regex pieces; a segment that does not start with a space gets one
  // in front when add_prefix_space (it belongs to the first piece's count, not its span).
  if (prefix_space && bpe.add_prefix_space && !text.empty() && text.front() != ' ') {
    std::string spaced;
    spaced.reserve(text.size() + 1);
    spaced.push_back(' ');
    spaced.append(text);
    std::size_t pos = 0;
    while (pos < spaced.size()) {
      const std::size_t end = gpt2_match(spaced, pos);
      const std::size_t b = pos == 0 ? 0 : pos - 1;
      emit(base + b, base + end - 1, -1, std::string_view(spaced).substr(pos, end - pos));
      pos = end;
    }
    return;
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = gpt2_match(text, pos);
    emit(base + pos, base + end, -1, text.substr(pos, end - pos));
    pos = end;
  }
}

template <class Emit>
void TokenizerModel::split(std::string_view text, bool prefix_space, Emit&& emit) const {
  if (added.empty()) {
    split_segment(text, 0, prefix_space, emit);
    return;
  }
  std::size_t segment = 0, pos = 0;
  while (pos < text.size()) {
    if (!added_first_byte[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const AddedToken* match = nullptr;
    for (const AddedToken& token : added) {  // longest first
      if (text.substr(pos, token.content.size()) == token.content) {
        match = &token;
        break;
      }
    }
    if (match == nullptr) {
      ++pos;
      continue;
    }
    if (pos > segment) split_segment(text.substr(segment, pos - segment), segment, prefix_space || segment > 0, emit);
    emit(pos, pos + match->content.size(), static_cast<std::int64_t>(match->id), std::string_view{});
    pos += match->content.size();
    segment = pos;
  }
  if (segment < text.size()) split_segment(text.substr(segment), segment, prefix_space || segment > 0, emit);
}

void TokenizerModel::encode_piece(std::string_view text, std::vector<std::uint32_t>& out) const {
  if (kind == Kind::wordpiece) {
    thread_local std::string normalized;
    normalized.clear();
    normalize_bert_piece(wordpiece, text, normalized);
    if (!normalized.empty()) wordpiece.encode_word(normalized, out);
  } else {
    bpe.encode_piece(text, out);
  }
}

namespace {

// Per thread, the counts of recently seen short pieces of one model: the common words of a
// language are answered here without the shared cache's lock and its large table.
struct HotCache {
  static constexpr std::size_t kSlots = 4096;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t model = 0;  // TokenizerModel::id_, 0 = empty
    char key[16] = {};
    std::uint16_t size = 0;
    std::uint16_t count = 0;
  };
  std::array<Slot, kSlots> slots{};
};

thread_local HotCache hot_cache;
std::atomic<std::uint64_t> next_model_id{1};

}  // namespace

TokenizerModel::TokenizerModel() : id_(next_model_id.fetch_add(1)) {}

void TokenizerModel::clear_cache() const {
  for (Shard& shard : cache_) {
    std::lock_guard lock(shard.mutex);
    shard.counts.clear();
  }
  id_ = next_model_id.fetch_add(1);  // entries of the old id in hot caches no longer match
}

std::size_t TokenizerModel::piece_tokens(std::string_view piece, std::uint64_t hash, bool use_cache) const {
  thread_local std::vector<std::uint32_t> ids;
  if (!use_cache) {
    ids.clear();
    encode_piece(piece, ids);
    return ids.size();
  }
  HotCache::Slot* hot = nullptr;
  const std::uint64_t model = id_.load(std::memory_order_relaxed);
  if (piece.size() <= sizeof(HotCache::Slot::key)) {
    hot = &hot_cache.slots[hash & (HotCache::kSlots - 1)];
    if (hot->model == model && hot->hash == hash && hot->size == piece.size() &&
        std::memcmp(hot->key, piece.data(), piece.size()) == 0)
      return hot->count;
  }
  const std::size_t n = shared_piece_tokens(piece, hash);
  if (hot != nullptr && n <= 0xFFFF) {
    hot->model = model;
    hot->hash = hash;
    hot->size = static_cast<std::uint16_t>(piece.size());
    hot->count = static_cast<std::uint16_t>(n);
    std::memcpy(hot->key, piece.data(), piece.size());
  }
  return n;
}

std::size_t TokenizerModel::shared_piece_tokens(std::string_view piece, std::uint64_t hash) const {
  thread_local std::vector<std::uint32_t> ids;
  Shard& shard = cache_[(hash >> 59) % kShards];
  {
    std::lock_guard lock(shard.mutex);
    if (const std::uint32_t* known = shard.counts.find(piece, hash)) return *known;
  }
  ids.clear();
  encode_piece(piece, ids);
  const auto n = static_cast<std::uint32_t>(ids.size());
  std::lock_guard lock(shard.mutex);
  if (shard.counts.size() >= kShardCapacity) shard.counts.clear();  // bounded memory
  shard.counts.emplace(piece, hash, n);
  return n;
}

void TokenizerModel::pieces(std::string_view text, std::vector<Piece>& out, bool use_cache) const {
  out.clear();
  // Pieces of the BPE prefix-space case point into a temporary copy: not memoised locally.
  const bool memo_ok = !(kind == Kind::bpe && bpe.add_prefix_space);
  PieceMemo memo(memo_ok ? text.size() / 32 : 0);
  split(text, true, [&](std::size_t b, std::size_t e, std::int64_t added_id, std::string_view piece) {
    std::size_t tokens = 1;
    if (added_id < 0) {
      const std::uint64_t h = hash_bytes(piece);
      const long known = memo_ok ? memo.find(piece, h) : -1;
      if (known >= 0) {
        tokens = static_cast<std::size_t>(known);
      } else {
        tokens = piece_tokens(piece, h, use_cache);
        if (memo_ok) memo.insert(piece, h, tokens);
      }
    }
    out.push_back({b, e, tokens, added_id >= 0});
  });
}

std::size_t TokenizerModel::count(std::string_view text, bool use_cache, bool prefix_space) const {
  std::size_t total = 0;
  // Long texts repeat their words: a local memo saves most shared-cache lookups.
  const bool memo_ok = text.size() > 4096 && !(kind == Kind::bpe && bpe.add_prefix_space);
  PieceMemo memo(memo_ok ? text.size() / 32 : 0);
  split(text, prefix_space, [&](std::size_t, std::size_t, std::int64_t added_id, std::string_view piece) {
    if (added_id >= 0) {
      ++total;
      return;
    }
    const std::uint64_t h = hash_bytes(piece);
    const long known = memo_ok ? memo.find(piece, h) : -1;
    if (known >= 0) {
      total += static_cast<std::size_t>(known);
      return;
    }
    const std::size_t n = piece_tokens(piece, h, use_cache);
    if (memo_ok) memo.insert(piece, h, n);
    total += n;
  });
  return total;
}

void TokenizerModel::encode(std::string_view text, std::vector<std::uint32_t>& out) const {
  split(text, true, [&](std::size_t, std::size_t, std::int64_t added_id, std::string_view piece) {
    if (added_id >= 0)
      out.push_back(static_cast<std::uint32_t>(added_id));
    else
      encode_piece(piece, out);
  });
}

}  // namespace ragkernel::chunk::detail

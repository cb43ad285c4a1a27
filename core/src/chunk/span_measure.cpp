#include "span_measure.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "tokenizer_model.hpp"
#include "unicode.hpp"
#include "utf8_decode.hpp"

namespace ragkernel::chunk::detail {

bool is_trim_space(char32_t c) noexcept { return (c >= 0x1C && c <= 0x1F) || is_white_space(c); }

std::size_t SpanMeasure::fit(std::size_t begin, std::size_t limit, std::size_t budget) {
  if (begin >= limit) return begin;
  if (measure(begin, limit) <= budget) return limit;
  // Gallop to a span that does not fit, then bisect between the last fit and it.
  std::size_t good = begin, bad = limit;
  std::size_t step = std::max<std::size_t>(budget, 16);
  while (true) {
    const std::size_t probe = ceil_boundary(text_, begin + step);
    if (probe >= limit) break;
    if (measure(begin, probe) <= budget) {
      good = probe;
      step *= 2;
    } else {
      bad = probe;
      break;
    }
  }
  while (true) {
    std::size_t mid = floor_boundary(text_, good + (bad - good) / 2);
    if (mid <= good) mid = next_boundary(text_, good);
    if (mid >= bad) break;
    if (measure(begin, mid) <= budget)
      good = mid;
    else
      bad = mid;
  }
  return good;
}

namespace {

// Code points, from a checkpoint every 64 bytes (or byte differences for ASCII text).
class CharMeasure final : public SpanMeasure {
 public:
  explicit CharMeasure(std::string_view text) : SpanMeasure(text) {
    ascii_ = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii_) return;
    checkpoints_.reserve(text.size() / kStride + 2);
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (i % kStride == 0) checkpoints_.push_back(count);
      count += !is_continuation(static_cast<unsigned char>(text[i]));
    }
    checkpoints_.push_back(count);
  }

  std::size_t measure(std::size_t begin, std::size_t end) override {
    return end <= begin ? 0 : position(end) - position(begin);
  }

  std::size_t fit(std::size_t begin, std::size_t limit, std::size_t budget) override {
    if (ascii_) return std::min(limit, begin + budget);
    std::size_t pos = begin;
    for (std::size_t i = 0; i < budget && pos < limit; ++i) pos = next_boundary(text_, pos);
    return std::min(pos, limit);
  }

 private:
  static constexpr std::size_t kStride = 64;
  std::size_t position(std::size_t byte) const noexcept {
    if (ascii_) return byte;
    const std::size_t block = byte / kStride;
    std::size_t count = checkpoints_[block];
    for (std::size_t i = block * kStride; i < byte; ++i)
      count += !is_continuation(static_cast<unsigned char>(text_[i]));
    return count;
  }
  bool ascii_ = true;
  std::vector<std::size_t> checkpoints_;
};

// Words as str.split() sees them: maximal runs of non-space characters.
class WordMeasure final : public SpanMeasure {
 public:
  explicit WordMeasure(std::string_view text) : SpanMeasure(text) {
    bool in_word = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t start = pos;
      const bool space = is_trim_space(decode(text, pos));
      if (!space && !in_word) starts_.push_back(start);
      in_word = !space;
    }
  }

  std::size_t measure(std::size_t begin, std::size_t end) override {
    if (end <= begin) return 0;
    const auto first = std::lower_bound(starts_.begin(), starts_.end(), begin);
    const auto last = std::lower_bound(first, starts_.end(), end);
    return static_cast<std::size_t>(last - first) + (inside_word(begin, first) ? 1 : 0);
  }

  std::size_t fit(std::size_t begin, std::size_t limit, std::size_t budget) override {
    if (budget == 0) return begin;
    const auto first = std::lower_bound(starts_.begin(), starts_.end(), begin);
    const std::size_t used = inside_word(begin, first) ? 1 : 0;
    const std::size_t index = static_cast<std::size_t>(first - starts_.begin()) + (budget - used);
    if (index >= starts_.size()) return limit;
    return std::min(limit, starts_[index]);
  }

 private:
  // True when `begin` falls inside a word that starts before it.
  bool inside_word(std::size_t begin, std::vector<std::size_t>::const_iterator first) const {
    if (begin >= text_.size() || first == starts_.begin()) return false;
    if (first != starts_.end() && *first == begin) return false;
    std::size_t pos = begin;
    if (is_trim_space(decode(text_, pos))) return false;
    return true;
  }
  std::vector<std::size_t> starts_;
};

// Tokens: the document's pre-tokens are counted once (memoised per distinct piece); a span
// is the sum of the pieces inside it, with the pieces cut by its ends counted again.
class TokenMeasure final : public SpanMeasure {
 public:
  TokenMeasure(std::string_view text, const TokenizerModel& model, std::size_t special)
      : SpanMeasure(text), model_(model), special_(special) {
    model_.pieces(text, pieces_);
    prefix_.resize(pieces_.size() + 1);
    for (std::size_t i = 0; i < pieces_.size(); ++i) prefix_[i + 1] = prefix_[i] + pieces_[i].tokens;
  }

  std::size_t measure(std::size_t begin, std::size_t end) override {
    if (end <= begin) return special_;
    return special_ + (model_.pieces_are_local() ? local_count(begin, end) : contextual_count(begin, end));
  }

  std::size_t fit(std::size_t begin, std::size_t limit, std::size_t budget) override {
    if (budget < special_) return begin;
    return SpanMeasure::fit(begin, limit, budget);
  }

 private:
  std::size_t direct(std::size_t begin, std::size_t end) const {
    return model_.count(text_.substr(begin, end - begin));
  }
  std::size_t first_piece_at_or_after(std::size_t pos) const {
    return static_cast<std::size_t>(std::lower_bound(pieces_.begin(), pieces_.end(), pos,
                                                     [](const Piece& p, std::size_t v) { return p.begin < v; }) -
                                    pieces_.begin());
  }

  // WordPiece: pieces depend only on their own characters.
  std::size_t local_count(std::size_t begin, std::size_t end) const {
    const std::size_t i = first_piece_at_or_after(begin);
    const std::size_t j = first_piece_at_or_after(end);
    std::size_t total = prefix_[j] - prefix_[i];
    if (j > i && pieces_[j - 1].end > end) total = total - pieces_[j - 1].tokens + direct(pieces_[j - 1].begin, end);
    if (i > 0 && pieces_[i - 1].end > begin) total += direct(begin, std::min(pieces_[i - 1].end, end));
    return total;
  }

  // Byte-level BPE: a regex piece may look one character past its end, so the span's own
  // pre-tokenization is recomputed near both ends: from `begin` until it meets a boundary of
  // the document's pieces, and from the start of the piece before the one holding end - 1.
  std::size_t contextual_count(std::size_t begin, std::size_t end) const {
    if (end - begin <= 256) return direct(begin, end);
    std::size_t k = first_piece_at_or_after(end);  // first piece starting at or after end
    if (k < 3) return direct(begin, end);
    const std::size_t tail = k - 2;  // the piece before the one that holds end - 1
    const std::size_t q = pieces_[tail].begin;
    if (q <= begin) return direct(begin, end);
    for (std::size_t window = 128; begin + window < q; window *= 4) {
      const std::size_t stop = floor_boundary(text_, begin + window);
      thread_local std::vector<Piece> local;
      model_.pieces(text_.substr(begin, stop - begin), local);
      std::size_t head = 0;
      for (const Piece& p : local) {
        if (begin + p.end + 16 > stop) break;  // too close to the cut to be trusted
        head += p.tokens;
        const std::size_t sync = begin + p.end;
        const std::size_t s = first_piece_at_or_after(sync);
        if (s < pieces_.size() && pieces_[s].begin == sync) {
          if (s > tail) return direct(begin, end);
          return head + (prefix_[tail] - prefix_[s]) + direct_tail(tail, end);
        }
      }
    }
    return direct(begin, end);
  }

  // Tokens of text[pieces_[tail].begin, end) in the middle of a span: no prefix space is
  // added there, unless the piece before it is an added token (a new segment starts there).
  std::size_t direct_tail(std::size_t tail, std::size_t end) const {
    const std::size_t q = pieces_[tail].begin;
    if (!model_.bpe.add_prefix_space || text_[q] == ' ') return direct(q, end);
    const bool after_added = tail > 0 && pieces_[tail - 1].special;
    if (after_added) return direct(q, end);
    return model_.count(text_.substr(q, end - q), true, false);
  }

  const TokenizerModel& model_;
  std::size_t special_;
  std::vector<Piece> pieces_;
  std::vector<std::size_t> prefix_;
};

// Any other counter (a Python callable): memoised by span.
class CounterMeasure final : public SpanMeasure {
 public:
  CounterMeasure(std::string_view text, const SizeCounter& counter) : SpanMeasure(text), counter_(counter) {}

  std::size_t measure(std::size_t begin, std::size_t end) override {
    const auto key = std::make_pair(begin, end);
    const auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    const std::size_t n = counter_.count(text_.substr(begin, end - begin));
    memo_.emplace(key, n);
    return n;
  }

 private:
  struct PairHash {
    std::size_t operator()(const std::pair<std::size_t, std::size_t>& p) const noexcept {
      return std::hash<std::size_t>{}(p.first * 0x9E3779B97F4A7C15ull ^ p.second);
    }
  };
  const SizeCounter& counter_;
  std::unordered_map<std::pair<std::size_t, std::size_t>, std::size_t, PairHash> memo_;
};

}  // namespace

std::unique_ptr<SpanMeasure> make_measure(std::string_view text, const Options& options) {
  switch (options.unit) {
    case Unit::chars: return std::make_unique<CharMeasure>(text);
    case Unit::words: return std::make_unique<WordMeasure>(text);
    case Unit::tokens:
      if (options.tokenizer)
        return std::make_unique<TokenMeasure>(
            text, options.tokenizer->model(),
            options.add_special_tokens ? options.tokenizer->special_tokens_added() : 0);
      return std::make_unique<CounterMeasure>(text, *options.counter);
  }
  return nullptr;
}

}  // namespace ragkernel::chunk::detail

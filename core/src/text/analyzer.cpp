#include "ragkernel/text/analyzer.hpp"

#include <libstemmer.h>
#include <omp.h>
#include <unicode/ubrk.h>
#include <unicode/ucasemap.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <mutex>
#include <sstream>
#include <unordered_set>

#include "ragkernel/error.hpp"
#include "utf8.hpp"

namespace ragkernel::text {
namespace {

constexpr std::string_view kEnglishStopwords[] = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
    "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};

constexpr std::string_view kFormatHeader = "ragkernel-analyzer 1";

// Python's `\w` on ASCII: letters, digits, underscore.
constexpr std::array<bool, 128> kAsciiWord = [] {
  std::array<bool, 128> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  t['_'] = true;
  return t;
}();

// Python's `\w` for str patterns: str.isalnum() (letters L*, anything with a numeric type) or '_'.
bool is_word_char(UChar32 c) noexcept {
  if (c < 128) return kAsciiWord[static_cast<std::size_t>(c)];
  return u_isalpha(c) || u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

struct SbStemmerDeleter {
  void operator()(sb_stemmer* s) const noexcept { sb_stemmer_delete(s); }
};
struct BreakDeleter {
  void operator()(UBreakIterator* b) const noexcept { ubrk_close(b); }
};
struct CaseMapDeleter {
  void operator()(UCaseMap* m) const noexcept { ucasemap_close(m); }
};

std::unique_ptr<sb_stemmer, SbStemmerDeleter> new_stemmer(const std::string& algorithm) {
  std::unique_ptr<sb_stemmer, SbStemmerDeleter> s(sb_stemmer_new(algorithm.c_str(), "UTF_8"));
  if (!s) {
    std::string known;
    for (const std::string& a : stemmer_algorithms()) known += (known.empty() ? "" : ", ") + a;
    throw InvalidArgument("unknown stemmer '" + algorithm + "'; expected one of: " + known);
  }
  return s;
}

void check_stopword(std::string_view w) {
  if (w.empty()) throw InvalidArgument("stopwords must be non-empty strings");
  detail::require_utf8(w, "stopword");
  for (char ch : w) {
    if (static_cast<unsigned char>(ch) <= 0x20) {
      throw InvalidArgument("stopword '" + std::string(w) + "' contains whitespace or a control character");
    }
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

std::size_t parse_size(std::string_view value, std::string_view key) {
  std::size_t out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || ptr != value.data() + value.size()) {
    throw Corruption("analyzer config: '" + std::string(key) + "' expects an integer, got '" + std::string(value) +
                     "'");
  }
  return out;
}

bool parse_bool(std::string_view value, std::string_view key) {
  if (value == "1") return true;
  if (value == "0") return false;
  throw Corruption("analyzer config: '" + std::string(key) + "' expects 0 or 1, got '" + std::string(value) + "'");
}

}  // namespace

std::span<const std::string_view> english_stopwords() { return kEnglishStopwords; }

std::vector<std::string> stemmer_algorithms() {
  std::vector<std::string> out;
  for (const char** p = sb_stemmer_list(); *p != nullptr; ++p) out.emplace_back(*p);
  return out;
}

AnalyzerConfig AnalyzerConfig::preset(std::string_view name) {
  AnalyzerConfig c;
  c.stopwords.assign(kEnglishStopwords, kEnglishStopwords + std::size(kEnglishStopwords));
  if (name == "bm25s") {
    c.tokenizer = Tokenizer::kWord;
    c.min_token_length = 2;
    c.max_token_length = std::size_t{1} << 20;
    c.stemmer = "english";
  } else if (name == "lucene") {
    c.tokenizer = Tokenizer::kStandard;
    c.remove_possessive = true;
    c.stemmer = "porter";
  } else {
    throw InvalidArgument("unknown analyzer preset '" + std::string(name) + "'; expected 'bm25s' or 'lucene'");
  }
  return c;
}

std::string AnalyzerConfig::serialize() const {
  std::ostringstream out;
  out << kFormatHeader << '\n'
      << "tokenizer " << (tokenizer == Tokenizer::kWord ? "word" : "standard") << '\n'
      << "lowercase " << (lowercase ? 1 : 0) << '\n'
      << "remove_possessive " << (remove_possessive ? 1 : 0) << '\n'
      << "min_token_length " << min_token_length << '\n'
      << "max_token_length " << max_token_length << '\n'
      << "stemmer " << stemmer << '\n';
  for (const std::string& w : stopwords) out << "stopword " << w << '\n';
  return out.str();
}

AnalyzerConfig AnalyzerConfig::parse(std::string_view serialized) {
  AnalyzerConfig c;
  c.stopwords.clear();
  bool header = false;
  while (!serialized.empty()) {
    const std::size_t eol = serialized.find('\n');
    const std::string_view line = trim(serialized.substr(0, eol));
    serialized = eol == std::string_view::npos ? std::string_view{} : serialized.substr(eol + 1);
    if (line.empty()) continue;
    if (!header) {
      if (line != kFormatHeader) {
        throw Corruption("analyzer config: expected the header '" + std::string(kFormatHeader) + "', got '" +
                         std::string(line.substr(0, 64)) + "'");
      }
      header = true;
      continue;
    }
    const std::size_t space = line.find(' ');
    const std::string_view key = line.substr(0, space);
    const std::string_view value = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    if (key == "tokenizer") {
      if (value == "word") {
        c.tokenizer = Tokenizer::kWord;
      } else if (value == "standard") {
        c.tokenizer = Tokenizer::kStandard;
      } else {
        throw Corruption("analyzer config: unknown tokenizer '" + std::string(value) + "'");
      }
    } else if (key == "lowercase") {
      c.lowercase = parse_bool(value, key);
    } else if (key == "remove_possessive") {
      c.remove_possessive = parse_bool(value, key);
    } else if (key == "min_token_length") {
      c.min_token_length = parse_size(value, key);
    } else if (key == "max_token_length") {
      c.max_token_length = parse_size(value, key);
    } else if (key == "stemmer") {
      c.stemmer = std::string(value);
    } else if (key == "stopword") {
      c.stopwords.emplace_back(value);
    } else {
      throw Corruption("analyzer config: unknown key '" + std::string(key) + "'");
    }
  }
  if (!header) throw Corruption("analyzer config is empty");
  return c;
}

// Per-thread scratch: libstemmer and ICU break iterators are not thread-safe, so each call
// borrows one workspace from a pool.
struct Workspace {
  std::unique_ptr<sb_stemmer, SbStemmerDeleter> stemmer;
  std::unique_ptr<UBreakIterator, BreakDeleter> breaker;
  std::unique_ptr<UCaseMap, CaseMapDeleter> casemap;
  std::string lowered;
};

struct Analyzer::Impl {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> stopwords;
  std::mutex mutex;
  std::vector<std::unique_ptr<Workspace>> pool;

  std::unique_ptr<Workspace> borrow(const AnalyzerConfig& config) {
    {
      std::lock_guard lock(mutex);
      if (!pool.empty()) {
        auto ws = std::move(pool.back());
        pool.pop_back();
        return ws;
      }
    }
    auto ws = std::make_unique<Workspace>();
    if (!config.stemmer.empty()) ws->stemmer = new_stemmer(config.stemmer);
    UErrorCode status = U_ZERO_ERROR;
    if (config.tokenizer == Tokenizer::kStandard) {
      ws->breaker.reset(ubrk_open(UBRK_WORD, "", nullptr, 0, &status));
      if (U_FAILURE(status)) throw Error(std::string("ICU word break iterator: ") + u_errorName(status));
    }
    status = U_ZERO_ERROR;
    ws->casemap.reset(ucasemap_open("", 0, &status));
    if (U_FAILURE(status)) throw Error(std::string("ICU case map: ") + u_errorName(status));
    return ws;
  }
  void give_back(std::unique_ptr<Workspace> ws) {
    std::lock_guard lock(mutex);
    pool.push_back(std::move(ws));
  }
};

namespace {

// Lowercases `text` into ws.lowered (full Unicode mapping, root locale) and returns a view.
std::string_view lowercase(std::string_view text, Workspace& ws) {
  ws.lowered.resize(text.size());
  if (detail::is_ascii(text)) {
    std::transform(text.begin(), text.end(), ws.lowered.begin(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch; });
    return ws.lowered;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    UErrorCode status = U_ZERO_ERROR;
    const int32_t n = ucasemap_utf8ToLower(ws.casemap.get(), ws.lowered.data(), static_cast<int32_t>(ws.lowered.size()),
                                           text.data(), static_cast<int32_t>(text.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      ws.lowered.resize(static_cast<std::size_t>(n));
      continue;
    }
    if (U_FAILURE(status)) throw Error(std::string("ICU lowercasing failed: ") + u_errorName(status));
    ws.lowered.resize(static_cast<std::size_t>(n));
    return ws.lowered;
  }
  throw Error("ICU lowercasing did not converge");
}

template <class Emit>
void word_tokens(std::string_view s, Emit&& emit) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto n = static_cast<std::int32_t>(s.size());
  std::int32_t i = 0;
  std::int32_t start = -1;
  while (i < n) {
    const std::int32_t at = i;
    UChar32 c;
    if (p[i] < 0x80) {
      c = p[i++];
    } else {
      U8_NEXT(p, i, n, c);
    }
    const bool word = c >= 0 && is_word_char(c);
    if (word && start < 0) start = at;
    if (!word && start >= 0) {
      emit(s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(at - start)));
      start = -1;
    }
  }
  if (start >= 0) emit(s.substr(static_cast<std::size_t>(start)));
}

template <class Emit>
void standard_tokens(std::string_view s, UBreakIterator* breaker, Emit&& emit) {
  UErrorCode status = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, s.data(), static_cast<int64_t>(s.size()), &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU utext_openUTF8: ") + u_errorName(status));
  ubrk_setUText(breaker, ut, &status);
  if (U_FAILURE(status)) {
    utext_close(ut);
    throw Error(std::string("ICU ubrk_setUText: ") + u_errorName(status));
  }
  // With a UTF-8 UText, break positions are byte offsets into `s`.
  int32_t start = ubrk_first(breaker);
  for (int32_t end = ubrk_next(breaker); end != UBRK_DONE; start = end, end = ubrk_next(breaker)) {
    if (ubrk_getRuleStatus(breaker) >= UBRK_WORD_NONE_LIMIT) {
      emit(s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)));
    }
  }
  ubrk_setText(breaker, nullptr, 0, &status);
  utext_close(ut);
}

std::string_view strip_possessive(std::string_view t) {
  for (std::string_view suffix :
       {std::string_view("'s"), std::string_view("'S"), std::string_view("\u2019s"), std::string_view("\u2019S"),
        std::string_view("\uFF07s"), std::string_view("\uFF07S")}) {
    if (t.size() > suffix.size() && t.ends_with(suffix)) return t.substr(0, t.size() - suffix.size());
  }
  return t;
}

}  // namespace

Analyzer::Analyzer(AnalyzerConfig config) : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  if (config_.min_token_length < 1) throw InvalidArgument("min_token_length must be at least 1, got 0");
  if (config_.max_token_length < config_.min_token_length) {
    throw InvalidArgument("max_token_length (" + std::to_string(config_.max_token_length) +
                          ") must be at least min_token_length (" + std::to_string(config_.min_token_length) + ")");
  }
  for (const std::string& w : config_.stopwords) check_stopword(w);
  if (!config_.stemmer.empty()) new_stemmer(config_.stemmer);  // validates the name
  // Stopwords are compared with lowercased tokens when the analyzer lowercases.
  auto ws = impl_->borrow(config_);
  for (const std::string& w : config_.stopwords) {
    impl_->stopwords.emplace(config_.lowercase ? std::string(lowercase(w, *ws)) : w);
  }
  impl_->give_back(std::move(ws));
}

Analyzer::~Analyzer() = default;

void Analyzer::analyze(std::string_view text, const std::function<void(std::string_view)>& emit) const {
  detail::require_utf8(text, "text");
  auto ws = impl_->borrow(config_);
  struct Return {
    Impl& impl;
    std::unique_ptr<Workspace>& ws;
    ~Return() { impl.give_back(std::move(ws)); }
  } give_back{*impl_, ws};

  const std::string_view source = config_.lowercase ? lowercase(text, *ws) : text;
  auto on_token = [&](std::string_view token) {
    if (config_.remove_possessive) token = strip_possessive(token);
    const std::size_t length = token.size() < config_.min_token_length ? 0 : detail::code_points(token);
    if (length < config_.min_token_length || length > config_.max_token_length) return;
    if (!impl_->stopwords.empty() && impl_->stopwords.contains(token)) return;
    if (ws->stemmer) {
      const sb_symbol* stem = sb_stemmer_stem(ws->stemmer.get(), reinterpret_cast<const sb_symbol*>(token.data()),
                                              static_cast<int>(token.size()));
      if (stem == nullptr) throw Error("libstemmer ran out of memory");
      token = std::string_view(reinterpret_cast<const char*>(stem),
                               static_cast<std::size_t>(sb_stemmer_length(ws->stemmer.get())));
    }
    emit(token);
  };
  if (config_.tokenizer == Tokenizer::kWord) {
    word_tokens(source, on_token);
  } else {
    standard_tokens(source, ws->breaker.get(), on_token);
  }
}

std::vector<std::string> Analyzer::analyze(std::string_view text) const {
  std::vector<std::string> out;
  analyze(text, [&out](std::string_view t) { out.emplace_back(t); });
  return out;
}

std::vector<std::vector<std::string>> Analyzer::analyze_batch(std::span<const std::string_view> texts,
                                                              int threads) const {
  std::vector<std::vector<std::string>> out(texts.size());
  std::atomic<std::size_t> first_bad{texts.size()};
  std::vector<std::string> errors(texts.size());
  const int n_threads = threads > 0 ? threads : omp_get_max_threads();
  const auto n = static_cast<std::int64_t>(texts.size());
#pragma omp parallel for schedule(dynamic, 64) num_threads(n_threads) if (n > 256)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto idx = static_cast<std::size_t>(i);
    if (idx > first_bad.load(std::memory_order_relaxed)) continue;
    try {
      out[idx] = analyze(texts[idx]);
    } catch (const std::exception& e) {
      errors[idx] = e.what();
      std::size_t cur = first_bad.load();
      while (idx < cur && !first_bad.compare_exchange_weak(cur, idx)) {
      }
    }
  }
  if (const std::size_t bad = first_bad.load(); bad < texts.size()) {
    throw InvalidArgument("text " + std::to_string(bad) + ": " + errors[bad]);
  }
  return out;
}

}  // namespace ragkernel::text

#pragma once
// Text analysis: UTF-8 text in, index terms out. The configuration is a value that an index
// stores beside its postings, so queries are analysed exactly as the documents were.
//
// Chain: validate UTF-8 -> (lowercase) -> tokenize -> (possessive removal) -> length limits ->
//        stopwords -> (stem).
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ragkernel::text {

enum class Tokenizer {
  // Maximal runs of Unicode word characters (letters, numbers, '_'), as Python's `\w`:
  // bm25s's and scikit-learn's `(?u)\b\w\w+\b` with min_token_length 2.
  kWord,
  // Unicode word boundaries (UAX #29, through ICU), keeping segments that contain a letter,
  // digit or ideograph: close to Lucene's StandardTokenizer ("U.S.A", "3.14" and "can't" are
  // one token, "e-mail" two).
  kStandard,
};

struct AnalyzerConfig {
  Tokenizer tokenizer = Tokenizer::kStandard;
  bool lowercase = true;               // full Unicode lowercasing of the whole text first
  bool remove_possessive = false;      // strip a trailing 's, ’s or ＇s (Lucene's English filter)
  std::size_t min_token_length = 1;    // in code points, before stemming
  std::size_t max_token_length = 255;  // longer tokens are dropped
  std::vector<std::string> stopwords;  // compared after lowercasing, before stemming
  std::string stemmer;                 // a libstemmer algorithm ("english", "porter", ...) or ""

  // Named presets: "bm25s" (bm25s with PyStemmer english) and "lucene" (Lucene's English
  // analyzer: standard tokenizer, possessives, 33 stopwords, Porter). Throws InvalidArgument.
  static AnalyzerConfig preset(std::string_view name);

  // A stable text form (versioned, one `key value` per line) and its inverse. parse throws
  // Corruption for text it cannot read.
  std::string serialize() const;
  static AnalyzerConfig parse(std::string_view serialized);

  friend bool operator==(const AnalyzerConfig&, const AnalyzerConfig&) = default;
};

// The 33 English stopwords of Lucene's EnglishAnalyzer (also bm25s's "en" list).
std::span<const std::string_view> english_stopwords();

// Stemmer algorithms libstemmer provides.
std::vector<std::string> stemmer_algorithms();

// Thread-safe: analyze may be called from many threads at once (each borrows its own stemmer).
class Analyzer {
 public:
  explicit Analyzer(AnalyzerConfig config = AnalyzerConfig::preset("lucene"));  // validates
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  const AnalyzerConfig& config() const noexcept { return config_; }

  // The terms of `text`, in order (may be empty). Throws InvalidArgument for invalid UTF-8,
  // naming the byte offset.
  std::vector<std::string> analyze(std::string_view text) const;

  // Calls emit(term) for each term, without building a vector.
  void analyze(std::string_view text, const std::function<void(std::string_view)>& emit) const;

  // Analyses many texts on up to `threads` threads (0: OpenMP's default). If any text is
  // invalid, throws for the first such text (by position) and returns nothing.
  std::vector<std::vector<std::string>> analyze_batch(std::span<const std::string_view> texts, int threads = 0) const;

  // What an index built by this analyzer depends on beyond its configuration: the ICU and
  // Unicode versions it runs with, and a hash of its terms for a fixed probe text (tokenizer,
  // case mapping, possessives, stopwords, stemmer). Persisted lexical indexes store it and are
  // rebuilt from the texts when it changes.
  std::string fingerprint() const;

 private:
  struct Impl;
  AnalyzerConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragkernel::text

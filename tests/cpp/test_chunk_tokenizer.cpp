// Tokenizer: tokenizer.json parsing, WordPiece and byte-level BPE on small vocabularies, and
// the token measure of the chunkers (span counts equal counts of the span's own text).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ragkernel/chunk/chunk.hpp"
#include "ragkernel/chunk/tokenizer.hpp"
#include "ragkernel/error.hpp"

namespace rc = ragkernel::chunk;

namespace {

const char* kWordPiece = R"({
  "added_tokens": [{"id": 1, "content": "[CLS]"}, {"id": 2, "content": "[SEP]"}],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                 "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "un": 3, "##aff": 4, "##able": 5, "cafe": 6,
                      ",": 7, "!": 8, "中": 9, "a": 10, "##a": 11}}
})";

// GPT-2 style: bytes stand for themselves when printable; "Ġ" (U+0120) is the space byte.
const char* kBpe = R"({
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "model": {"type": "BPE", "unk_token": null,
            "vocab": {"a": 0, "b": 1, "c": 2, "\u0120": 3, "ab": 4, "abc": 5, "\u0120a": 6, "\u0120ab": 7},
            "merges": ["a b", "ab c", "\u0120 a", "\u0120a b"]}
})";

}  // namespace

TEST(Tokenizer, WordPieceNormalisesSplitsAndMatchesGreedily) {
  const auto t = rc::Tokenizer::from_json(kWordPiece);
  EXPECT_EQ(t->model_type(), "WordPiece");
  EXPECT_EQ(t->encode("UnAffable, CAFÉ!"), (std::vector<std::uint32_t>{3, 4, 5, 7, 6, 8}));
  EXPECT_EQ(t->encode("xyz unaffable"), (std::vector<std::uint32_t>{0, 3, 4, 5}));
  EXPECT_EQ(t->encode("a\xE4\xB8\xAD"
                      "a"),
            (std::vector<std::uint32_t>{10, 9, 10}));  // CJK stands alone
  EXPECT_EQ(t->encode("[CLS] aa"), (std::vector<std::uint32_t>{1, 10, 11}));
  EXPECT_EQ(t->encode("a", true), (std::vector<std::uint32_t>{1, 10, 2}));
  EXPECT_EQ(t->count("a", true), 3u);
  EXPECT_EQ(t->special_tokens_added(), 2u);
  EXPECT_EQ(t->encode(std::string(101, 'a')), (std::vector<std::uint32_t>{0}));  // over max_input_chars_per_word
}

TEST(Tokenizer, ByteLevelBpeMergesByRank) {
  const auto t = rc::Tokenizer::from_json(kBpe);
  EXPECT_EQ(t->model_type(), "BPE");
  EXPECT_EQ(t->encode("abc ab"), (std::vector<std::uint32_t>{5, 3, 4}));  // "a b" outranks "Ġ a"
  EXPECT_EQ(t->encode("  ab"), (std::vector<std::uint32_t>{3, 3, 4}));    // "\s+(?!\S)" leaves one space
  EXPECT_EQ(t->count("cab  "), 4u);                                       // "c" + "ab" + "  " -> c, ab, Ġ, Ġ
}

TEST(Tokenizer, RejectsWhatItCannotCount) {
  EXPECT_THROW(rc::Tokenizer::from_json("{"), ragkernel::InvalidArgument);
  EXPECT_THROW(rc::Tokenizer::from_json("[]"), ragkernel::InvalidArgument);
  EXPECT_THROW(rc::Tokenizer::from_json(R"({"model": {"type": "Unigram"}})"), ragkernel::InvalidArgument);
  EXPECT_THROW(rc::Tokenizer::from_json(R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})"),
               ragkernel::InvalidArgument);  // no [UNK]
  EXPECT_THROW(rc::Tokenizer::from_file("/nonexistent/tokenizer.json"), ragkernel::IOError);
  const auto t = rc::Tokenizer::from_json(kWordPiece);
  EXPECT_THROW(t->count("bad \xFF"), ragkernel::InvalidArgument);
}

TEST(Tokenizer, ChunkTokenCountsEqualTheTokenizerOnEachChunk) {
  for (const char* json : {kWordPiece, kBpe}) {
    const auto t = rc::Tokenizer::from_json(json);
    std::mt19937 rng(5);
    const std::vector<std::string> words = {"unaffable", "cafe", "ab", "abc", "a",    "b",
                                            "c",         ",",    "!",  "  ",  "\n\n", ". "};
    std::string text;
    for (int i = 0; i < 3000; ++i) text += words[rng() % words.size()] + (rng() % 3 ? " " : "");
    for (const rc::Method method :
         {rc::Method::token, rc::Method::sentence, rc::Method::recursive, rc::Method::markdown}) {
      rc::Options o;
      o.method = method;
      o.unit = rc::Unit::tokens;
      o.tokenizer = t;
      o.chunk_size = 37;
      o.overlap = 5;
      const auto chunks = rc::chunk_text(text, o);
      ASSERT_GT(chunks.size(), 10u);
      for (const auto& c : chunks) {
        const std::string piece = text.substr(c.byte_start, c.byte_end - c.byte_start);
        ASSERT_EQ(c.size, t->count(piece)) << rc::to_string(method) << " " << piece;
        ASSERT_LE(c.size, 37u);
      }
    }
  }
}

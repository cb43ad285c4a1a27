// Chunkers: offsets, the bound, options and errors, on the C++ API.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ragkernel/chunk/chunk.hpp"
#include "ragkernel/chunk/file_chunker.hpp"
#include "ragkernel/chunk/utf8.hpp"
#include "ragkernel/error.hpp"

namespace rc = ragkernel::chunk;

namespace {

const std::vector<std::string> kPieces = {"word",
                                          "other",
                                          "Dr.",
                                          "3.14",
                                          " ",
                                          "  ",
                                          "\n",
                                          "\n\n",
                                          "\r\n",
                                          ". ",
                                          "! ",
                                          "? ",
                                          ", ",
                                          "\xF0\x9F\x98\x80",
                                          "e\xCC\x81",
                                          "\xE4\xB8\xAD\xE6\x96\x87",
                                          "\xE3\x80\x82",
                                          "# Head\n",
                                          "## Sub\n",
                                          "```\ncode\n```\n",
                                          "| a | b |\n|---|---|\n",
                                          "\xC3\x9C",
                                          "\t"};

std::string random_text(std::mt19937& rng, std::size_t pieces) {
  std::string text;
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  for (std::size_t i = 0; i < pieces; ++i) text += kPieces[pick(rng)];
  return text;
}

std::size_t code_points(std::string_view s) { return rc::count_code_points(s); }

bool is_space_byte(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Offsets are consistent, chunks are trimmed, within the bound, in order, and cover the text.
void check(const std::string& text, const std::vector<rc::Chunk>& chunks, std::size_t size, rc::Unit unit) {
  std::size_t covered = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const rc::Chunk& c = chunks[i];
    ASSERT_EQ(c.index, i);
    ASSERT_LT(c.byte_start, c.byte_end);
    const std::string piece = text.substr(c.byte_start, c.byte_end - c.byte_start);
    ASSERT_EQ(c.start, code_points(std::string_view(text).substr(0, c.byte_start)));
    ASSERT_EQ(c.end - c.start, code_points(piece));
    ASSERT_FALSE(is_space_byte(piece.front()));
    ASSERT_FALSE(is_space_byte(piece.back()));
    ASSERT_LE(c.size, size);
    if (unit == rc::Unit::chars) {
      ASSERT_EQ(c.size, code_points(piece));
    }
    for (std::size_t b = covered; b < c.byte_start; ++b)
      ASSERT_TRUE(is_space_byte(text[b])) << "byte " << b << " dropped";
    covered = std::max(covered, c.byte_end);
  }
  for (std::size_t b = covered; b < text.size(); ++b) ASSERT_TRUE(is_space_byte(text[b]));
}

rc::Embeddings count_embedder(const std::vector<std::string_view>& texts) {
  rc::Embeddings e;
  e.rows = texts.size();
  e.dim = 2;
  for (const auto t : texts) {
    e.values.push_back(static_cast<float>(t.find("cat") != std::string_view::npos));
    e.values.push_back(static_cast<float>(t.find("car") != std::string_view::npos) + 0.01f);
  }
  return e;
}

}  // namespace

TEST(Utf8, FindsInvalidSequencesAndRepairsThemLikePython) {
  EXPECT_FALSE(rc::find_invalid_utf8("plain \xC3\xA9 \xF0\x9F\x98\x80").has_value());
  EXPECT_EQ(rc::find_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(rc::find_invalid_utf8("\xED\xA0\x80"), 0u);       // a surrogate
  EXPECT_EQ(rc::find_invalid_utf8("x\xC0\xAF"), 1u);          // overlong
  EXPECT_EQ(rc::find_invalid_utf8("x\xF4\x90\x80\x80"), 1u);  // past U+10FFFF
  EXPECT_THROW(rc::sanitize_utf8("ab\xFF", rc::Utf8Errors::strict), ragkernel::InvalidArgument);
  // b"a\xe2\x82b\xff".decode("utf-8", "replace") == "a\ufffdb\ufffd"
  EXPECT_EQ(*rc::sanitize_utf8("a\xE2\x82"
                               "b\xFF",
                               rc::Utf8Errors::replace),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(*rc::sanitize_utf8("\xED\xA0\x80", rc::Utf8Errors::replace), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(rc::parse_utf8_errors("replace"), rc::Utf8Errors::replace);
  EXPECT_THROW(rc::parse_utf8_errors("ignore"), ragkernel::InvalidArgument);
}

class EveryMethod : public ::testing::TestWithParam<rc::Method> {};

TEST_P(EveryMethod, HoldsOffsetsAndTheBoundInCharsAndWords) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    const std::string text = random_text(rng, 1 + round * 5);
    for (const rc::Unit unit : {rc::Unit::chars, rc::Unit::words}) {
      rc::Options o;
      o.method = GetParam();
      o.unit = unit;
      o.chunk_size = unit == rc::Unit::chars ? 1 + static_cast<std::size_t>(round) : 1 + round % 6;
      o.overlap = GetParam() == rc::Method::semantic ? 0 : o.chunk_size / 3;
      if (GetParam() == rc::Method::semantic) o.embedder = count_embedder;
      const auto chunks = rc::chunk_text(text, o);
      check(text, chunks, o.chunk_size, unit);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Chunk, EveryMethod,
                         ::testing::Values(rc::Method::token, rc::Method::sentence, rc::Method::recursive,
                                           rc::Method::markdown, rc::Method::semantic),
                         [](const auto& param_info) { return std::string(rc::to_string(param_info.param)); });

TEST(Chunk, TokenWindowsOverlapExactly) {
  rc::Options o;
  o.method = rc::Method::token;
  o.chunk_size = 4;
  o.overlap = 1;
  const auto chunks = rc::chunk_text("abcdefghij", o);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1].start, 3u);
  EXPECT_EQ(chunks[2].end, 10u);
}

TEST(Chunk, CodePointOffsetsForMultibyteText) {
  rc::Options o;
  o.method = rc::Method::token;
  o.chunk_size = 2;
  const std::string text =
      "\xC3\xA9\xF0\x9F\x98\x80\xE4\xB8\xAD"
      "a";  // é😀中a
  const auto chunks = rc::chunk_text(text, o);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].byte_end, 6u);
  EXPECT_EQ(chunks[1].start, 2u);
  EXPECT_EQ(chunks[1].byte_start, 6u);
  EXPECT_EQ(chunks[1].end, 4u);
}

TEST(Chunk, MarkdownHeadingPaths) {
  rc::Options o;
  o.method = rc::Method::markdown;
  o.chunk_size = 200;
  const auto chunks = rc::chunk_text("# A\n\ntext\n\n## B\n\n```\n# no\n```\n\n# C\n\nend\n", o);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"A"}));
  EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(chunks[2].heading_path, (std::vector<std::string>{"C"}));
}

TEST(Chunk, BatchEqualsOneByOne) {
  std::mt19937 rng(3);
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) texts.push_back(random_text(rng, 40));
  std::vector<std::string_view> views(texts.begin(), texts.end());
  rc::Options o;
  o.method = rc::Method::sentence;
  o.chunk_size = 30;
  o.overlap = 5;
  const auto batch = rc::chunk_batch(views, o);
  ASSERT_EQ(batch.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto single = rc::chunk_text(texts[i], o);
    ASSERT_EQ(batch[i].size(), single.size());
    for (std::size_t k = 0; k < single.size(); ++k) EXPECT_EQ(batch[i][k].byte_start, single[k].byte_start);
  }
  views.push_back("bad \xFF");
  try {
    rc::chunk_batch(views, o);
    FAIL() << "expected an error";
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("document 64: invalid UTF-8 at byte 4"), std::string::npos) << e.what();
  }
}

TEST(Chunk, BadOptionsAreRejected) {
  rc::Options o;
  o.chunk_size = 0;
  EXPECT_THROW(rc::validate(o), ragkernel::InvalidArgument);
  o.chunk_size = 10;
  o.overlap = 10;
  EXPECT_THROW(rc::validate(o), ragkernel::InvalidArgument);
  o.overlap = 0;
  o.unit = rc::Unit::tokens;
  EXPECT_THROW(rc::validate(o), ragkernel::InvalidArgument);
  o.unit = rc::Unit::chars;
  o.method = rc::Method::semantic;
  EXPECT_THROW(rc::validate(o), ragkernel::InvalidArgument);
  o.method = rc::Method::recursive;
  o.preset = "cobol";
  EXPECT_THROW(rc::validate(o), ragkernel::InvalidArgument);
  EXPECT_THROW(rc::parse_method("para"), ragkernel::InvalidArgument);
  EXPECT_THROW(rc::parse_unit("bytes"), ragkernel::InvalidArgument);
  o.preset = "text";
  EXPECT_THROW(rc::chunk_text("ok \xC3", o), ragkernel::InvalidArgument);
  EXPECT_TRUE(rc::chunk_text("", o).empty());
  EXPECT_TRUE(rc::chunk_text(" \n\t ", o).empty());
}

TEST(Chunk, EmbedderReturningTheWrongShapeIsAnError) {
  rc::Options o;
  o.method = rc::Method::semantic;
  o.chunk_size = 100;
  o.embedder = [](const std::vector<std::string_view>&) { return rc::Embeddings{{1.0f}, 1, 1}; };
  EXPECT_THROW(rc::chunk_text("One cat. Two cars. Three cats.", o), ragkernel::InvalidArgument);
}

TEST(FileChunker, StreamsAFileWithOffsetsIntoTheWholeFile) {
  std::mt19937 rng(11);
  std::string text;
  for (int i = 0; i < 300; ++i) text += random_text(rng, 8) + "\n\n";
  const std::string path = ::testing::TempDir() + "ragkernel_stream.txt";
  std::ofstream(path, std::ios::binary) << text;
  rc::Options o;
  o.chunk_size = 50;
  rc::FileChunker stream(path, o, rc::Utf8Errors::strict, 512);
  std::vector<rc::Chunk> chunks, all;
  std::string window;
  std::size_t byte_start = 0, start = 0, windows = 0;
  while (stream.next(chunks, window, byte_start, start)) {
    ++windows;
    EXPECT_EQ(text.compare(byte_start, window.size(), window), 0);
    EXPECT_EQ(start, code_points(std::string_view(text).substr(0, byte_start)));
    all.insert(all.end(), chunks.begin(), chunks.end());
  }
  EXPECT_GT(windows, 5u);
  check(text, all, 50, rc::Unit::chars);
  std::remove(path.c_str());
  EXPECT_THROW(rc::FileChunker(path, o), ragkernel::IOError);
}

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/text/analyzer.hpp"

using ragkernel::text::Analyzer;
using ragkernel::text::AnalyzerConfig;
using ragkernel::text::Tokenizer;
using Terms = std::vector<std::string>;

TEST(TextAnalyzer, Bm25sPresetDropsShortTokensStopwordsAndStems) {
  Analyzer a(AnalyzerConfig::preset("bm25s"));
  EXPECT_EQ(a.analyze("The flows of a BOUNDARY-layer x 2 is running"), (Terms{"flow", "boundari", "layer", "run"}));
  // Python's \w: letters and numbers of any script, '_' joins; marks split.
  EXPECT_EQ(a.analyze("naïve café_au 42kg"), (Terms{"naïv", "café_au", "42kg"}));
}

TEST(TextAnalyzer, LucenePresetUsesWordBoundariesPossessivesAndPorter) {
  Analyzer a(AnalyzerConfig::preset("lucene"));
  EXPECT_EQ(a.analyze("The dog's U.S.A. bones, 3.14 e-mail"), (Terms{"dog", "u.s.a", "bone", "3.14", "e", "mail"}));
  EXPECT_EQ(a.analyze("Ärzte’s ÉCOLE"), (Terms{"ärzte", "école"}));
}

TEST(TextAnalyzer, StopwordsAreComparedAfterLowercasing) {
  AnalyzerConfig c;
  c.tokenizer = Tokenizer::kWord;
  c.stopwords = {"The", "X"};
  Analyzer a(c);
  EXPECT_EQ(a.analyze("the x y"), (Terms{"y"}));
}

TEST(TextAnalyzer, FullUnicodeLowercasing) {
  AnalyzerConfig c;
  c.tokenizer = Tokenizer::kWord;
  Analyzer a(c);
  EXPECT_EQ(a.analyze("ΟΔΟΣ STRASSE"), (Terms{"οδος", "strasse"}));
}

TEST(TextAnalyzer, InvalidUtf8NamesTheOffset) {
  Analyzer a;
  try {
    a.analyze(std::string("ok \xC3\x28 bad"));
    FAIL();
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("byte offset 3"), std::string::npos) << e.what();
  }
}

TEST(TextAnalyzer, BatchMatchesSingleAndReportsFirstBadText) {
  Analyzer a(AnalyzerConfig::preset("bm25s"));
  std::vector<std::string> texts;
  for (int i = 0; i < 1000; ++i) texts.push_back("document number " + std::to_string(i) + " about flows");
  std::vector<std::string_view> views(texts.begin(), texts.end());
  const auto batch = a.analyze_batch(views, 2);
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(batch[i], a.analyze(texts[i]));
  texts[700].assign(1, '\xFF');
  texts[900].assign(1, '\xFF');
  views.assign(texts.begin(), texts.end());
  try {
    a.analyze_batch(views, 2);
    FAIL();
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("text 700:", 0), 0u) << e.what();
  }
}

TEST(TextAnalyzer, ConfigRoundTripsAndRejectsBadValues) {
  for (const char* name : {"bm25s", "lucene"}) {
    const AnalyzerConfig c = AnalyzerConfig::preset(name);
    EXPECT_EQ(AnalyzerConfig::parse(c.serialize()), c);
  }
  EXPECT_THROW(AnalyzerConfig::parse("nonsense"), ragkernel::Corruption);
  EXPECT_THROW(AnalyzerConfig::preset("solr"), ragkernel::InvalidArgument);
  AnalyzerConfig bad;
  bad.stemmer = "klingon";
  EXPECT_THROW(Analyzer{bad}, ragkernel::InvalidArgument);
  bad = {};
  bad.stopwords = {"two words"};
  EXPECT_THROW(Analyzer{bad}, ragkernel::InvalidArgument);
  bad = {};
  bad.min_token_length = 0;
  EXPECT_THROW(Analyzer{bad}, ragkernel::InvalidArgument);
}

TEST(TextAnalyzer, FingerprintFollowsBehaviourNotIdentity) {
  const std::string lucene = Analyzer(AnalyzerConfig::preset("lucene")).fingerprint();
  EXPECT_EQ(Analyzer(AnalyzerConfig::preset("lucene")).fingerprint(), lucene);  // stable
  EXPECT_EQ(lucene.rfind("icu ", 0), 0u) << lucene;
  EXPECT_NE(lucene.find(" unicode "), std::string::npos) << lucene;
  EXPECT_NE(Analyzer(AnalyzerConfig::preset("bm25s")).fingerprint(), lucene);
  AnalyzerConfig porter = AnalyzerConfig::preset("lucene");
  porter.stemmer = "english";  // another Snowball algorithm: other stems of the probe
  EXPECT_NE(Analyzer(porter).fingerprint(), lucene);
  AnalyzerConfig unstemmed = AnalyzerConfig::preset("lucene");
  unstemmed.stemmer.clear();
  EXPECT_NE(Analyzer(unstemmed).fingerprint(), lucene);
}

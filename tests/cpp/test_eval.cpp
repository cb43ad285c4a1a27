// IR metrics, readers and significance tests on cases small enough to check by hand. The
// Python suite compares every metric with pytrec_eval on real collections and random runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ragkernel/error.hpp"
#include "ragkernel/eval/evaluate.hpp"
#include "ragkernel/eval/significance.hpp"
#include "ragkernel/eval/trec_io.hpp"

namespace ev = ragkernel::eval;

namespace {

std::vector<ev::Metric> parse(std::initializer_list<const char*> names) {
  std::vector<ev::Metric> out;
  for (const char* n : names) out.push_back(ev::parse_metric(n));
  return out;
}

double value(const ev::EvalResult& r, const std::string& query, std::size_t metric) {
  for (std::size_t q = 0; q < r.num_queries(); ++q)
    if (r.query_ids[q] == query) return r.at(q, metric);
  ADD_FAILURE() << "query " << query << " not evaluated";
  return NAN;
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("ragkernel_test_eval_" + name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST(EvalMetric, ParsesEverySpellingToTheCanonicalName) {
  EXPECT_EQ(ev::parse_metric("ndcg_cut_10").name(), "ndcg_cut_10");
  EXPECT_EQ(ev::parse_metric("ndcg_cut.10").name(), "ndcg_cut_10");
  EXPECT_EQ(ev::parse_metric("ndcg@10").name(), "ndcg_cut_10");
  EXPECT_EQ(ev::parse_metric("P.5").name(), "P_5");
  EXPECT_EQ(ev::parse_metric("P@5").name(), "P_5");
  EXPECT_EQ(ev::parse_metric("mrr").name(), "recip_rank");
  EXPECT_EQ(ev::parse_metric("mrr@10").name(), "recip_rank_cut_10");
  EXPECT_EQ(ev::parse_metric("map@100").name(), "map_cut_100");
  EXPECT_EQ(ev::parse_metric("hit@3").name(), "success_3");
  EXPECT_EQ(ev::parse_metric("judged@10").name(), "judged_10");
  EXPECT_EQ(ev::parse_metric("ndcg_burges@10").name(), "ndcg_burges_cut_10");
  EXPECT_EQ(ev::parse_metric("Rprec").name(), "Rprec");
}

TEST(EvalMetric, RejectsUnknownNamesAndBadCutoffs) {
  EXPECT_THROW(ev::parse_metric("ndgc@10"), ragkernel::InvalidArgument);
  EXPECT_THROW(ev::parse_metric("P"), ragkernel::InvalidArgument);
  EXPECT_THROW(ev::parse_metric("P@0"), ragkernel::InvalidArgument);
  EXPECT_THROW(ev::parse_metric("P@x"), ragkernel::InvalidArgument);
  EXPECT_THROW(ev::parse_metric("bpref@10"), ragkernel::InvalidArgument);
  try {
    ev::parse_metric("P");
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("P@10"), std::string::npos) << e.what();
  }
}

TEST(EvalEvaluate, TiesBreakByDocumentIdDescending) {
  ev::Qrels qrels;
  qrels.add("q", "a", 1);
  ev::Run run;
  run.add("q", "a", 1.0);
  run.add("q", "b", 1.0);  // same score: "b" > "a", so "b" ranks first
  const auto r = ev::evaluate(qrels, run, parse({"recip_rank", "P_1"}));
  EXPECT_DOUBLE_EQ(r.at(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(r.at(0, 1), 0.0);
}

TEST(EvalEvaluate, HandComputedMetrics) {
  ev::Qrels qrels;
  qrels.add("q", "d1", 2);
  qrels.add("q", "d2", 1);
  qrels.add("q", "d3", 0);
  qrels.add("q", "d9", 1);  // relevant, never retrieved
  ev::Run run;
  run.add("q", "d3", 0.9);  // rank 1: judged non-relevant
  run.add("q", "d1", 0.8);  // rank 2: grade 2
  run.add("q", "x", 0.7);   // rank 3: unjudged
  run.add("q", "d2", 0.6);  // rank 4: grade 1
  const auto m = parse({"P_2", "recall_4", "map", "recip_rank", "Rprec", "ndcg_cut_2", "ndcg", "success_1", "judged_4",
                        "bpref", "num_ret", "num_rel", "num_rel_ret"});
  const auto r = ev::evaluate(qrels, run, m);
  EXPECT_DOUBLE_EQ(r.at(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(r.at(0, 1), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.at(0, 2), (1.0 / 2.0 + 2.0 / 4.0) / 3.0);
  EXPECT_DOUBLE_EQ(r.at(0, 3), 0.5);
  EXPECT_DOUBLE_EQ(r.at(0, 4), 1.0 / 3.0);  // R = 3: one relevant in the top 3
  // DCG@2 = 2 / log2(3); ideal@2 = 2 + 1 / log2(3) (the ideal includes the unretrieved d9).
  EXPECT_NEAR(r.at(0, 5), (2.0 / std::log2(3.0)) / (2.0 + 1.0 / std::log2(3.0)), 1e-15);
  const double dcg = 2.0 / std::log2(3.0) + 1.0 / std::log2(5.0);
  const double ideal = 2.0 + 1.0 / std::log2(3.0) + 1.0 / std::log2(4.0);
  EXPECT_NEAR(r.at(0, 6), dcg / ideal, 1e-15);
  EXPECT_DOUBLE_EQ(r.at(0, 7), 0.0);
  EXPECT_DOUBLE_EQ(r.at(0, 8), 0.75);
  // bpref: R = 3, one judged non-relevant (d3) ranked above both relevant hits.
  EXPECT_DOUBLE_EQ(r.at(0, 9), ((1.0 - 1.0 / 1.0) + (1.0 - 1.0 / 1.0)) / 3.0);
  EXPECT_DOUBLE_EQ(r.at(0, 10), 4.0);
  EXPECT_DOUBLE_EQ(r.at(0, 11), 3.0);
  EXPECT_DOUBLE_EQ(r.at(0, 12), 2.0);
}

TEST(EvalEvaluate, PrecisionDividesByTheCutoffEvenWhenFewerAreRetrieved) {
  ev::Qrels qrels;
  qrels.add("q", "a", 1);
  ev::Run run;
  run.add("q", "a", 1.0);
  EXPECT_DOUBLE_EQ(ev::evaluate(qrels, run, parse({"P_10"})).at(0, 0), 0.1);
}

TEST(EvalEvaluate, CompleteScoresMissingQueriesAsZeroAndUnjudgedQueriesAreIgnored) {
  ev::Qrels qrels;
  qrels.add("q1", "a", 1);
  qrels.add("q2", "b", 1);
  ev::Run run;
  run.add("q1", "a", 1.0);
  run.add("q3", "c", 1.0);  // not judged: ignored
  const auto m = parse({"map"});
  const auto partial = ev::evaluate(qrels, run, m);
  ASSERT_EQ(partial.num_queries(), 1u);
  EXPECT_DOUBLE_EQ(partial.means()[0], 1.0);
  ev::EvalOptions complete;
  complete.complete = true;
  const auto full = ev::evaluate(qrels, run, m, complete);
  ASSERT_EQ(full.num_queries(), 2u);
  EXPECT_DOUBLE_EQ(value(full, "q2", 0), 0.0);
  EXPECT_DOUBLE_EQ(full.means()[0], 0.5);
}

TEST(EvalEvaluate, RelevanceLevelAndQueryWithoutRelevantDocuments) {
  ev::Qrels qrels;
  qrels.add("q", "a", 1);
  qrels.add("q", "b", 2);
  qrels.add("z", "a", 0);  // judged, nothing relevant: included, scores 0
  ev::Run run;
  run.add("q", "a", 2.0);
  run.add("q", "b", 1.0);
  run.add("z", "a", 1.0);
  ev::EvalOptions strict;
  strict.relevance_level = 2;
  const auto r = ev::evaluate(qrels, run, parse({"recip_rank", "map", "ndcg"}), strict);
  EXPECT_DOUBLE_EQ(value(r, "q", 0), 0.5);
  EXPECT_DOUBLE_EQ(value(r, "q", 1), 0.5);
  EXPECT_DOUBLE_EQ(value(r, "z", 0), 0.0);
  EXPECT_DOUBLE_EQ(value(r, "z", 2), 0.0);
}

TEST(EvalEvaluate, RemoveQueryIdAndJudgedDocsOnly) {
  ev::Qrels qrels;
  qrels.add("q", "a", 1);
  ev::Run run;
  run.add("q", "q", 3.0);  // the query itself (BEIR's ArguAna, Quora)
  run.add("q", "x", 2.0);  // unjudged
  run.add("q", "a", 1.0);
  ev::EvalOptions options;
  options.remove_query_id = true;
  EXPECT_DOUBLE_EQ(ev::evaluate(qrels, run, parse({"recip_rank"}), options).at(0, 0), 0.5);
  options.judged_docs_only = true;
  EXPECT_DOUBLE_EQ(ev::evaluate(qrels, run, parse({"recip_rank"}), options).at(0, 0), 1.0);
}

TEST(EvalEvaluate, DuplicateDocumentIsAnError) {
  ev::Qrels qrels;
  qrels.add("q", "a", 1);
  ev::Run run;
  run.add("q", "a", 1.0);
  run.add("q", "a", 0.5);
  try {
    ev::evaluate(qrels, run, parse({"map"}));
    FAIL() << "expected InvalidArgument";
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'a' twice"), std::string::npos) << e.what();
  }
  EXPECT_THROW(qrels.add("q", "a", 2), ragkernel::InvalidArgument);
  EXPECT_EQ(qrels.size(), 1u);
}

TEST(EvalEvaluate, NanScoreIsRefusedAndLeavesTheRunUnchanged) {
  ev::Run run;
  EXPECT_THROW(run.add("q", "a", NAN), ragkernel::InvalidArgument);
  EXPECT_EQ(run.num_queries(), 0u);
  EXPECT_EQ(run.size(), 0u);
}

TEST(EvalTrecIo, ReadsFilesAndNamesTheLineOfMalformedInput) {
  const auto qrels_path = write_temp("qrels.txt", "1 0 d1 1\n1 0 d2 0\n\n2 0 d3 2\r\n");
  const ev::Qrels qrels = ev::read_trec_qrels(qrels_path.string());
  EXPECT_EQ(qrels.num_queries(), 2u);
  EXPECT_EQ(qrels.size(), 3u);
  const auto run_path = write_temp("run.txt", "1 Q0 d1 1 2.5 tag\n1 Q0 d2 2 1e-3 tag\n2 Q0 d3 1 -1 tag\n");
  const ev::Run run = ev::read_trec_run(run_path.string());
  EXPECT_EQ(run.size(), 3u);
  EXPECT_DOUBLE_EQ(run.entries(0)[1].score, 1e-3);

  const auto bad = write_temp("bad_run.txt", "1 Q0 d1 1 2.5 tag\n1 Q0 d2 2 abc tag\n");
  try {
    ev::read_trec_run(bad.string());
    FAIL() << "expected InvalidArgument";
  } catch (const ragkernel::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("bad_run.txt:2: score 'abc'"), std::string::npos) << e.what();
  }
  const auto beir = write_temp("beir.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n");
  EXPECT_EQ(ev::read_beir_qrels(beir.string()).size(), 2u);
  EXPECT_THROW(ev::read_trec_qrels("/nonexistent/qrels.txt"), ragkernel::IOError);
  for (const auto& p : {qrels_path, run_path, bad, beir}) std::filesystem::remove(p);
}

TEST(EvalSignificance, StudentTMatchesKnownValues) {
  // Reference values from the t distribution tables (scipy.stats.t.sf).
  EXPECT_NEAR(ev::student_t_sf(2.0, 10.0), 0.03669401738537018, 1e-14);
  EXPECT_NEAR(ev::student_t_sf(0.0, 5.0), 0.5, 1e-15);
  EXPECT_NEAR(ev::student_t_sf(-1.5, 3.0), 0.8847080673775886, 1e-13);
}

TEST(EvalSignificance, TTestRandomizationBootstrapHolm) {
  const std::vector<double> a{0.1, 0.4, 0.35, 0.8, 0.5, 0.2};
  const std::vector<double> b{0.0, 0.3, 0.4, 0.6, 0.45, 0.1};
  const ev::TestResult t = ev::paired_t_test(a, b);
  EXPECT_GT(t.statistic, 0.0);
  EXPECT_GT(t.p_value, 0.0);
  EXPECT_LT(t.p_value, 1.0);
  // 2^6 = 64 assignments fit in the budget: exact, so every seed gives the same p.
  const ev::TestResult r1 = ev::randomization_test(a, b, 1000, 1);
  const ev::TestResult r2 = ev::randomization_test(a, b, 1000, 2);
  EXPECT_EQ(r1.p_value, r2.p_value);
  EXPECT_NEAR(r1.statistic, 0.5 / 6.0, 1e-12);
  // Monte Carlo: the same seed repeats exactly.
  std::vector<double> big_a(200), big_b(200);
  for (std::size_t i = 0; i < 200; ++i) {
    big_a[i] = std::sin(static_cast<double>(i)) * 0.5 + 0.5;
    big_b[i] = std::cos(static_cast<double>(i)) * 0.5 + 0.5;
  }
  EXPECT_EQ(ev::randomization_test(big_a, big_b, 5000, 7).p_value,
            ev::randomization_test(big_a, big_b, 5000, 7).p_value);
  const ev::Interval ci = ev::bootstrap_ci(a, 0.95, 2000, 3);
  EXPECT_LT(ci.low, ci.high);
  const std::vector<double> adjusted = ev::holm(std::vector<double>{0.01, 0.04, 0.03});
  EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
  EXPECT_THROW(ev::paired_t_test(std::vector<double>{1.0}, std::vector<double>{1.0, 2.0}), ragkernel::InvalidArgument);
}

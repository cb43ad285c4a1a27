#pragma once
// Per-query IR metrics with trec_eval's semantics, parallel over queries (OpenMP).
//
//   - Ranking: score descending, ties broken by document id in descending byte order
//     (strcmp); a document retrieved twice for one query is an error.
//   - Queries: those in both the judgments and the run; with `complete` (trec_eval -c) every
//     judged query, a query the run lacks scoring 0. Queries the judgments lack are ignored.
//     A judged query without relevant documents is included and scores 0.
//   - Binary metrics count a document as relevant when its grade >= relevance_level.
//   - nDCG uses the grade as the gain (linear) and 1 / log2(rank + 1) as the discount; the
//     ideal ranking is built from every judged document, retrieved or not.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ragkernel/eval/metric.hpp"
#include "ragkernel/eval/qrels.hpp"
#include "ragkernel/eval/run.hpp"

namespace ragkernel::eval {

struct EvalOptions {
  int relevance_level = 1;        // trec_eval -l
  bool complete = false;          // trec_eval -c
  bool judged_docs_only = false;  // trec_eval -J: drop unjudged documents before ranking
  bool remove_query_id = false;   // drop documents whose id equals the query id (BEIR)
};

struct EvalResult {
  std::vector<Metric> metrics;
  std::vector<std::string> query_ids;  // the evaluated queries, in the judgments' order
  std::vector<double> values;          // row-major [query][metric]

  std::size_t num_queries() const noexcept { return query_ids.size(); }
  double at(std::size_t query, std::size_t metric) const { return values[query * metrics.size() + metric]; }
  // The mean over the evaluated queries (trec_eval's "all" line); 0 when there are none.
  std::vector<double> means() const;
};

// Throws InvalidArgument if a query of the run retrieves a document twice (naming both),
// or if `metrics` is empty.
EvalResult evaluate(const Qrels& qrels, const Run& run, std::span<const Metric> metrics,
                    const EvalOptions& options = {});

}  // namespace ragkernel::eval

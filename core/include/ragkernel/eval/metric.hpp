#pragma once
// IR metric names and their parsed form.
//
// Names follow trec_eval: `map`, `P_10`, `recall_100`, `ndcg_cut_10`, `recip_rank`, `Rprec`,
// `bpref`, `success_10`, `map_cut_100`, `ndcg`, `num_ret`, `num_rel`, `num_rel_ret`. A cutoff
// can be written trec_eval's way (`P.10`), pytrec_eval's way (`P_10`) or with `@` (`P@10`);
// `ndcg@10`, `mrr`, `hit@10` and `map@100` are accepted aliases. Metrics that trec_eval does
// not have carry their own explicit names: `ndcg_burges[_cut_k]` (exponential gain 2^rel - 1),
// `judged_k` (fraction of the top k that is judged) and `recip_rank_cut_k` (reciprocal rank
// within the top k).
#include <cstdint>
#include <string>
#include <string_view>

namespace ragkernel::eval {

enum class MetricKind : std::uint8_t {
  map,              // average precision over all relevant documents
  map_cut,          // average precision counting only the top k
  precision,        // P_k: relevant in the top k / k
  recall,           // recall_k: relevant in the top k / relevant
  recip_rank,       // 1 / rank of the first relevant document
  recip_rank_cut,   // the same, 0 if the first relevant is below k (not in trec_eval)
  r_precision,      // Rprec: precision at rank R = number of relevant documents
  ndcg,             // linear gain, all retrieved documents
  ndcg_cut,         // linear gain, top k
  ndcg_burges,      // exponential gain 2^rel - 1, all retrieved (not in trec_eval)
  ndcg_burges_cut,  // exponential gain, top k (not in trec_eval)
  bpref,            // binary preference
  success,          // success_k: 1 if any relevant document in the top k
  judged,           // judged_k: judged documents in the top k / k (not in trec_eval)
  num_ret,          // retrieved documents
  num_rel,          // relevant documents in the judgments
  num_rel_ret,      // relevant documents retrieved
};

struct Metric {
  MetricKind kind = MetricKind::map;
  std::uint32_t cutoff = 0;  // > 0 for the families with a cutoff, 0 otherwise

  // The canonical name, as pytrec_eval reports it: "ndcg_cut_10", "P_5", "map".
  std::string name() const;
  bool has_cutoff() const noexcept;
  friend bool operator==(const Metric&, const Metric&) = default;
};

// Parses any accepted spelling. Throws InvalidArgument naming the accepted forms when the
// name is unknown, a cutoff is missing or not a positive integer, or one is given to a metric
// that takes none.
Metric parse_metric(std::string_view name);

}  // namespace ragkernel::eval

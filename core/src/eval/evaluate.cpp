#include "ragkernel/eval/evaluate.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::eval {
namespace {

constexpr int kNotJudged = -1;     // trec_eval RELVALUE_NONPOOL: the judgments lack the document
constexpr int kPoolUnjudged = -2;  // trec_eval RELVALUE_UNJUDGED: judged with a negative grade

// What the metrics of one query are computed from.
struct Ranked {
  std::vector<int> rel;             // grade of the documents at ranks 1..depth (kNotJudged, kPoolUnjudged)
  std::size_t num_ret = 0;          // retrieved documents (after the options' filters)
  std::size_t num_rel = 0;          // judged documents with grade >= relevance_level
  std::vector<std::size_t> levels;  // levels[g] = judged documents with grade g >= 0
};

// Reused buffers of one thread.
struct Scratch {
  struct Item {
    double score;
    std::uint32_t index;
  };
  std::vector<Item> items;
  std::vector<std::uint64_t> hashes;  // by entry index
  std::vector<int> rel;               // by entry index, when resolved before ranking
  std::vector<std::uint32_t> kept;    // entry indices left after the options' filters
  std::vector<std::uint32_t> slots;   // duplicate detection
  Ranked ranked;
};

// How deep the ranking must be resolved for these metrics (SIZE_MAX = all retrieved).
std::size_t required_depth(std::span<const Metric> metrics, std::size_t num_rel) {
  std::size_t depth = 0;
  for (const Metric& m : metrics) {
    switch (m.kind) {
      case MetricKind::map:
      case MetricKind::recip_rank:
      case MetricKind::ndcg:
      case MetricKind::ndcg_burges:
      case MetricKind::bpref:
      case MetricKind::num_rel_ret: return std::numeric_limits<std::size_t>::max();
      case MetricKind::r_precision: depth = std::max(depth, num_rel); break;
      case MetricKind::num_ret:
      case MetricKind::num_rel: break;
      default: depth = std::max<std::size_t>(depth, m.cutoff); break;
    }
  }
  return depth;
}

void check_duplicates(const Run& run, std::size_t q, const std::vector<std::uint32_t>& kept, Scratch& s) {
  const auto entries = run.entries(q);
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * kept.size()));
  s.slots.assign(capacity, 0);
  const std::size_t mask = capacity - 1;
  for (std::uint32_t i : kept) {
    const std::string_view doc = run.doc(q, entries[i]);
    std::size_t slot = s.hashes[i] & mask;
    while (s.slots[slot] != 0) {
      const std::uint32_t other = s.slots[slot] - 1;
      if (s.hashes[other] == s.hashes[i] && run.doc(q, entries[other]) == doc) {
        throw InvalidArgument("query '" + run.query_id(q) + "' retrieves document '" + std::string(doc) +
                              "' twice; expected each document at most once per query");
      }
      slot = (slot + 1) & mask;
    }
    s.slots[slot] = i + 1;
  }
}

int lookup(const Qrels& qrels, std::size_t qq, std::string_view doc, std::uint64_t hash) {
  const int* grade = qrels.find(qq, doc, hash);
  if (grade == nullptr) return kNotJudged;
  return *grade < 0 ? kPoolUnjudged : *grade;
}

// Fills s.ranked for one (judged query, run query) pair; rq may be npos (nothing retrieved).
void rank_query(const Qrels& qrels, std::size_t qq, const Run& run, std::size_t rq, std::span<const Metric> metrics,
                const EvalOptions& options, Scratch& s) {
  Ranked& r = s.ranked;
  r.levels.clear();
  for (const Judgment& j : qrels.judgments(qq)) {
    if (j.relevance < 0) continue;
    const auto g = static_cast<std::size_t>(j.relevance);
    if (r.levels.size() <= g) r.levels.resize(g + 1, 0);
    ++r.levels[g];
  }
  r.num_rel = 0;
  for (std::size_t g = static_cast<std::size_t>(std::max(options.relevance_level, 0)); g < r.levels.size(); ++g) {
    r.num_rel += r.levels[g];
  }
  r.rel.clear();
  r.num_ret = 0;
  if (rq == Run::npos) return;

  const auto entries = run.entries(rq);
  const std::string_view query_id = run.query_id(rq);
  s.items.clear();
  s.kept.clear();
  s.hashes.resize(entries.size());
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    const std::string_view doc = run.doc(rq, entries[i]);
    if (options.remove_query_id && doc == query_id) continue;
    s.hashes[i] = Qrels::doc_hash(doc);
    s.kept.push_back(i);
  }
  check_duplicates(run, rq, s.kept, s);

  const bool resolved_early = options.judged_docs_only;
  if (resolved_early) s.rel.resize(entries.size());
  for (std::uint32_t i : s.kept) {
    if (resolved_early) {
      s.rel[i] = lookup(qrels, qq, run.doc(rq, entries[i]), s.hashes[i]);
      if (s.rel[i] < 0) continue;
    }
    s.items.push_back(Scratch::Item{entries[i].score, i});
  }
  r.num_ret = s.items.size();

  // Score descending, ties by document id descending (trec_eval's strcmp order).
  auto before = [&](const Scratch::Item& a, const Scratch::Item& b) {
    if (a.score != b.score) return a.score > b.score;
    return run.doc(rq, entries[a.index]) > run.doc(rq, entries[b.index]);
  };
  const std::size_t depth = std::min(required_depth(metrics, r.num_rel), s.items.size());
  if (depth < s.items.size()) {
    std::nth_element(s.items.begin(), s.items.begin() + static_cast<std::ptrdiff_t>(depth), s.items.end(), before);
  }
  std::sort(s.items.begin(), s.items.begin() + static_cast<std::ptrdiff_t>(depth), before);

  r.rel.resize(depth);
  for (std::size_t i = 0; i < depth; ++i) {
    const std::uint32_t e = s.items[i].index;
    r.rel[i] = resolved_early ? s.rel[e] : lookup(qrels, qq, run.doc(rq, entries[e]), s.hashes[e]);
  }
}

double log2_discount(std::size_t i) { return std::log2(static_cast<double>(i + 2)); }  // rank i + 1

// Ideal DCG over the judged grades, best first, limited to `depth` ranks.
template <class Gain>
double ideal_dcg(const std::vector<std::size_t>& levels, std::size_t depth, Gain gain) {
  double ideal = 0.0;
  std::size_t i = 0;
  for (std::size_t g = levels.size(); g-- > 1 && i < depth;) {  // grade 0 has no gain
    for (std::size_t c = 0; c < levels[g] && i < depth; ++c, ++i) ideal += gain(static_cast<int>(g)) / log2_discount(i);
  }
  return ideal;
}

template <class Gain>
double ndcg(const Ranked& r, std::size_t depth, Gain gain) {
  const std::size_t n = std::min(depth, r.rel.size());
  double dcg = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (r.rel[i] > 0) dcg += gain(r.rel[i]) / log2_discount(i);
  }
  const double ideal = ideal_dcg(r.levels, depth, gain);
  return ideal > 0.0 ? dcg / ideal : 0.0;
}

double metric_value(const Metric& m, const Ranked& r, int level) {
  const auto relevant = [level](int rel) { return rel >= level; };
  const std::size_t k = m.cutoff;
  const std::size_t n = r.rel.size();  // resolved depth
  const auto linear = [](int g) { return static_cast<double>(g); };
  const auto exponential = [](int g) { return std::exp2(static_cast<double>(g)) - 1.0; };
  switch (m.kind) {
    case MetricKind::map:
    case MetricKind::map_cut: {
      const std::size_t end = m.kind == MetricKind::map ? n : std::min(k, n);
      if (r.num_rel == 0) return 0.0;
      double sum = 0.0;
      std::size_t hits = 0;
      for (std::size_t i = 0; i < end; ++i) {
        if (relevant(r.rel[i])) sum += static_cast<double>(++hits) / static_cast<double>(i + 1);
      }
      return sum / static_cast<double>(r.num_rel);
    }
    case MetricKind::precision:
    case MetricKind::recall:
    case MetricKind::success:
    case MetricKind::judged: {
      std::size_t hits = 0;
      for (std::size_t i = 0; i < std::min(k, n); ++i) {
        hits += m.kind == MetricKind::judged ? (r.rel[i] >= 0) : relevant(r.rel[i]);
      }
      if (m.kind == MetricKind::recall)
        return r.num_rel ? static_cast<double>(hits) / static_cast<double>(r.num_rel) : 0.0;
      if (m.kind == MetricKind::success) return hits ? 1.0 : 0.0;
      return static_cast<double>(hits) / static_cast<double>(k);
    }
    case MetricKind::recip_rank:
    case MetricKind::recip_rank_cut: {
      const std::size_t end = m.kind == MetricKind::recip_rank ? n : std::min(k, n);
      for (std::size_t i = 0; i < end; ++i)
        if (relevant(r.rel[i])) return 1.0 / static_cast<double>(i + 1);
      return 0.0;
    }
    case MetricKind::r_precision: {
      const std::size_t look = std::min(r.num_ret, r.num_rel);
      if (look == 0) return 0.0;
      std::size_t hits = 0;
      for (std::size_t i = 0; i < look; ++i) hits += relevant(r.rel[i]);
      return static_cast<double>(hits) / static_cast<double>(r.num_rel);
    }
    case MetricKind::ndcg: return ndcg(r, std::numeric_limits<std::size_t>::max(), linear);
    case MetricKind::ndcg_cut: return ndcg(r, k, linear);
    case MetricKind::ndcg_burges: return ndcg(r, std::numeric_limits<std::size_t>::max(), exponential);
    case MetricKind::ndcg_burges_cut: return ndcg(r, k, exponential);
    case MetricKind::bpref: {
      std::size_t num_nonrel = 0;
      for (std::size_t g = 0; g < r.levels.size() && static_cast<int>(g) < level; ++g) num_nonrel += r.levels[g];
      const double denominator = static_cast<double>(std::min(num_nonrel, r.num_rel));
      std::size_t nonrel_so_far = 0;
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        if (r.rel[i] < 0) continue;  // unjudged: no preference either way
        if (r.rel[i] < level) {
          ++nonrel_so_far;
        } else if (nonrel_so_far > 0) {
          sum += 1.0 - static_cast<double>(std::min(nonrel_so_far, r.num_rel)) / denominator;
        } else {
          sum += 1.0;
        }
      }
      return r.num_rel ? sum / static_cast<double>(r.num_rel) : sum;
    }
    case MetricKind::num_ret: return static_cast<double>(r.num_ret);
    case MetricKind::num_rel: return static_cast<double>(r.num_rel);
    case MetricKind::num_rel_ret: {
      std::size_t hits = 0;
      for (std::size_t i = 0; i < n; ++i) hits += relevant(r.rel[i]);
      return static_cast<double>(hits);
    }
  }
  return 0.0;
}

}  // namespace

std::vector<double> EvalResult::means() const {
  std::vector<double> out(metrics.size(), 0.0);
  if (query_ids.empty()) return out;
  for (std::size_t q = 0; q < query_ids.size(); ++q)
    for (std::size_t m = 0; m < metrics.size(); ++m) out[m] += at(q, m);
  for (double& v : out) v /= static_cast<double>(query_ids.size());
  return out;
}

EvalResult evaluate(const Qrels& qrels, const Run& run, std::span<const Metric> metrics, const EvalOptions& options) {
  if (metrics.empty()) throw InvalidArgument("no metrics requested; expected at least one metric name such as 'map'");
  if (options.relevance_level < 0) {
    throw InvalidArgument("relevance_level is " + std::to_string(options.relevance_level) +
                          "; expected a grade >= 0 (trec_eval's default is 1)");
  }
  EvalResult result;
  result.metrics.assign(metrics.begin(), metrics.end());

  struct Row {
    std::size_t judged;
    std::size_t retrieved;  // Run::npos when the run lacks the query
  };
  std::vector<Row> rows;
  for (std::size_t q = 0; q < qrels.num_queries(); ++q) {
    const std::size_t r = run.find_query(qrels.query_id(q));
    if (r == Run::npos && !options.complete) continue;
    rows.push_back(Row{q, r});
    result.query_ids.push_back(qrels.query_id(q));
  }
  const std::size_t nm = metrics.size();
  result.values.assign(rows.size() * nm, 0.0);

  // The first failing row in order is reported, so the message does not depend on scheduling.
  std::size_t error_row = rows.size();
  std::string error;
  // Threads only pay off on real work; small evaluations stay on the calling thread (a
  // parallel region costs more than it saves there, and far more on a loaded machine).
  std::size_t work = 0;
  for (const Row& row : rows) work += row.retrieved == Run::npos ? 1 : run.entries(row.retrieved).size() + 1;
  const bool parallel = work >= 20000;
#pragma omp parallel if (parallel)
  {
    Scratch scratch;
#pragma omp for schedule(dynamic, 8)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(rows.size()); ++i) {
      const Row& row = rows[static_cast<std::size_t>(i)];
      try {
        rank_query(qrels, row.judged, run, row.retrieved, metrics, options, scratch);
        double* out = result.values.data() + static_cast<std::size_t>(i) * nm;
        for (std::size_t m = 0; m < nm; ++m) out[m] = metric_value(metrics[m], scratch.ranked, options.relevance_level);
      } catch (const std::exception& e) {
#pragma omp critical(ragkernel_eval_error)
        if (static_cast<std::size_t>(i) < error_row) {
          error_row = static_cast<std::size_t>(i);
          error = e.what();
        }
      }
    }
  }
  if (error_row < rows.size()) throw InvalidArgument(error);
  return result;
}

}  // namespace ragkernel::eval

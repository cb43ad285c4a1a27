#include "ragkernel/eval/evaluate.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ragkernel/error.hpp"

// Every supported metric depends only on the number of retrieved documents and on the ranks
// and grades of the *judged* retrieved documents. So instead of sorting all retrieved
// documents, the evaluator looks each one up in the judgments, sorts the few judged ones, and
// computes their ranks by counting how many unjudged documents precede each: O(n log J) for n
// retrieved and J judged, against O(n log n) for trec_eval's full sorts.

namespace ragkernel::eval {
namespace {

constexpr int kPoolUnjudged = -2;  // trec_eval RELVALUE_UNJUDGED: judged with a negative grade

struct Hit {
  std::size_t rank;  // 1-based, in trec_eval's order
  int grade;         // >= 0, or kPoolUnjudged
};

// What the metrics of one query are computed from.
struct Ranked {
  std::vector<Hit> hits;            // the judged retrieved documents, by rank
  std::size_t num_ret = 0;          // retrieved documents (after the options' filters)
  std::size_t num_rel = 0;          // judged documents with grade >= relevance_level
  std::vector<std::size_t> levels;  // levels[g] = judged documents with grade g >= 0
};

// Reused buffers of one thread.
struct Scratch {
  struct Judged {
    double score;
    std::uint32_t index;  // entry index in the run
    int grade;
  };
  std::vector<Judged> judged;
  std::vector<std::uint64_t> hashes;         // by entry index
  std::vector<std::uint32_t> slots;          // duplicate detection
  std::vector<std::size_t> unjudged_before;  // by judged position: unjudged documents ranked between
  Ranked ranked;
};

void check_duplicates(const Run& run, std::size_t q, bool remove_query_id, Scratch& s) {
  const auto entries = run.entries(q);
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * entries.size()));
  s.slots.assign(capacity, 0);
  const std::size_t mask = capacity - 1;
  const std::string_view query_id = run.query_id(q);
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    const std::string_view doc = run.doc(q, entries[i]);
    if (remove_query_id && doc == query_id) continue;
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

// Fills s.ranked for one (judged query, run query) pair; rq may be npos (nothing retrieved).
void rank_query(const Qrels& qrels, std::size_t qq, const Run& run, std::size_t rq, const EvalOptions& options,
                Scratch& s) {
  Ranked& r = s.ranked;
  r.levels.clear();
  for (const Judgment& j : qrels.judgments(qq)) {
    if (j.relevance < 0) continue;
    const auto g = static_cast<std::size_t>(j.relevance);
    if (r.levels.size() <= g) r.levels.resize(g + 1, 0);
    ++r.levels[g];
  }
  r.num_rel = 0;
  for (std::size_t g = static_cast<std::size_t>(options.relevance_level); g < r.levels.size(); ++g) {
    r.num_rel += r.levels[g];
  }
  r.hits.clear();
  r.num_ret = 0;
  if (rq == Run::npos) return;

  const auto entries = run.entries(rq);
  const std::string_view query_id = run.query_id(rq);
  s.hashes.resize(entries.size());
  s.judged.clear();
  std::size_t kept = 0;
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    const std::string_view doc = run.doc(rq, entries[i]);
    if (options.remove_query_id && doc == query_id) continue;
    ++kept;
    s.hashes[i] = Qrels::doc_hash(doc);
    if (const int* grade = qrels.find(qq, doc, s.hashes[i])) {
      s.judged.push_back({entries[i].score, i, *grade < 0 ? kPoolUnjudged : *grade});
    }
  }
  if (!run.docs_unique(rq)) check_duplicates(run, rq, options.remove_query_id, s);

  // trec_eval's order: score descending, ties by document id descending (strcmp).
  auto doc_of = [&](std::uint32_t i) { return run.doc(rq, entries[i]); };
  auto before = [&](double score_a, std::uint32_t a, double score_b, std::uint32_t b) {
    if (score_a != score_b) return score_a > score_b;
    return doc_of(a) > doc_of(b);
  };
  std::sort(s.judged.begin(), s.judged.end(), [&](const Scratch::Judged& a, const Scratch::Judged& b) {
    return before(a.score, a.index, b.score, b.index);
  });

  if (options.judged_docs_only) {
    // trec_eval -J: unjudged documents (not in the judgments, or negative grade) are dropped.
    for (const Scratch::Judged& j : s.judged) {
      if (j.grade >= 0) r.hits.push_back({r.hits.size() + 1, j.grade});
    }
    r.num_ret = r.hits.size();
    return;
  }
  r.num_ret = kept;
  // For each unjudged document, the number of judged ones that rank before it (binary search);
  // a prefix sum then gives each judged document the unjudged count ahead of it.
  const std::size_t nj = s.judged.size();
  s.unjudged_before.assign(nj + 1, 0);
  if (nj > 0) {
    std::size_t next = 0;  // judged entries are skipped by walking their sorted indices
    std::vector<std::uint32_t>& judged_index = s.slots;
    judged_index.resize(nj);
    for (std::size_t t = 0; t < nj; ++t) judged_index[t] = s.judged[t].index;
    std::sort(judged_index.begin(), judged_index.end());
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      if (next < nj && judged_index[next] == i) {
        ++next;
        continue;
      }
      if (options.remove_query_id && doc_of(i) == query_id) continue;
      const double score = entries[i].score;
      std::size_t lo = 0, hi = nj;  // first judged position that document i ranks before
      while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (before(s.judged[mid].score, s.judged[mid].index, score, i)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      ++s.unjudged_before[lo];
    }
  }
  std::size_t unjudged = 0;
  for (std::size_t t = 0; t < nj; ++t) {
    unjudged += s.unjudged_before[t];
    r.hits.push_back({t + 1 + unjudged, s.judged[t].grade});
  }
}

double log2_discount(std::size_t rank) { return std::log2(static_cast<double>(rank + 1)); }

// Ideal DCG over the judged grades, best first, limited to `depth` ranks.
template <class Gain>
double ideal_dcg(const std::vector<std::size_t>& levels, std::size_t depth, Gain gain) {
  double ideal = 0.0;
  std::size_t rank = 0;
  for (std::size_t g = levels.size(); g-- > 1 && rank < depth;) {  // grade 0 has no gain
    for (std::size_t c = 0; c < levels[g] && rank < depth; ++c) {
      ideal += gain(static_cast<int>(g)) / log2_discount(++rank);
    }
  }
  return ideal;
}

template <class Gain>
double ndcg(const Ranked& r, std::size_t depth, Gain gain) {
  double dcg = 0.0;
  for (const Hit& h : r.hits) {
    if (h.rank > depth) break;
    if (h.grade > 0) dcg += gain(h.grade) / log2_discount(h.rank);
  }
  const double ideal = ideal_dcg(r.levels, depth, gain);
  return ideal > 0.0 ? dcg / ideal : 0.0;
}

double metric_value(const Metric& m, const Ranked& r, int level) {
  constexpr std::size_t all = std::numeric_limits<std::size_t>::max();
  const std::size_t k = m.has_cutoff() ? m.cutoff : all;
  const auto linear = [](int g) { return static_cast<double>(g); };
  const auto exponential = [](int g) { return std::exp2(static_cast<double>(g)) - 1.0; };
  // Relevant hits ranked within `depth`.
  const auto relevant_within = [&](std::size_t depth) {
    std::size_t n = 0;
    for (const Hit& h : r.hits) {
      if (h.rank > depth) break;
      n += h.grade >= level;
    }
    return n;
  };
  switch (m.kind) {
    case MetricKind::map:
    case MetricKind::map_cut: {
      if (r.num_rel == 0) return 0.0;
      double sum = 0.0;
      std::size_t found = 0;
      for (const Hit& h : r.hits) {
        if (h.rank > k) break;
        if (h.grade >= level) sum += static_cast<double>(++found) / static_cast<double>(h.rank);
      }
      return sum / static_cast<double>(r.num_rel);
    }
    case MetricKind::precision: return static_cast<double>(relevant_within(k)) / static_cast<double>(k);
    case MetricKind::recall:
      return r.num_rel ? static_cast<double>(relevant_within(k)) / static_cast<double>(r.num_rel) : 0.0;
    case MetricKind::success: return relevant_within(k) ? 1.0 : 0.0;
    case MetricKind::judged: {
      std::size_t n = 0;
      for (const Hit& h : r.hits) {
        if (h.rank > k) break;
        n += h.grade >= 0;
      }
      return static_cast<double>(n) / static_cast<double>(k);
    }
    case MetricKind::recip_rank:
    case MetricKind::recip_rank_cut:
      for (const Hit& h : r.hits) {
        if (h.rank > k) break;
        if (h.grade >= level) return 1.0 / static_cast<double>(h.rank);
      }
      return 0.0;
    case MetricKind::r_precision: {
      const std::size_t look = std::min(r.num_ret, r.num_rel);
      return look ? static_cast<double>(relevant_within(look)) / static_cast<double>(r.num_rel) : 0.0;
    }
    case MetricKind::ndcg:
    case MetricKind::ndcg_cut: return ndcg(r, k, linear);
    case MetricKind::ndcg_burges:
    case MetricKind::ndcg_burges_cut: return ndcg(r, k, exponential);
    case MetricKind::bpref: {
      std::size_t num_nonrel = 0;
      for (std::size_t g = 0; g < r.levels.size() && static_cast<int>(g) < level; ++g) num_nonrel += r.levels[g];
      const double denominator = static_cast<double>(std::min(num_nonrel, r.num_rel));
      std::size_t nonrel_so_far = 0;
      double sum = 0.0;
      for (const Hit& h : r.hits) {
        if (h.grade < 0) continue;  // pooled but unjudged: no preference either way
        if (h.grade < level) {
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
    case MetricKind::num_rel_ret: return static_cast<double>(relevant_within(all));
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
#pragma omp for schedule(dynamic, 16)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(rows.size()); ++i) {
      const Row& row = rows[static_cast<std::size_t>(i)];
      try {
        rank_query(qrels, row.judged, run, row.retrieved, options, scratch);
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

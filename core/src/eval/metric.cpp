#include "ragkernel/eval/metric.hpp"

#include <array>
#include <charconv>
#include <string>

#include "ragkernel/error.hpp"

namespace ragkernel::eval {
namespace {

struct Family {
  std::string_view name;  // canonical stem
  MetricKind kind;
  bool cutoff;  // the family needs a cutoff
};

// Canonical stems. Cut families are spelled "<stem>_<k>" canonically.
constexpr std::array<Family, 17> kFamilies{{
    {"map", MetricKind::map, false},
    {"map_cut", MetricKind::map_cut, true},
    {"P", MetricKind::precision, true},
    {"recall", MetricKind::recall, true},
    {"recip_rank", MetricKind::recip_rank, false},
    {"recip_rank_cut", MetricKind::recip_rank_cut, true},
    {"Rprec", MetricKind::r_precision, false},
    {"ndcg", MetricKind::ndcg, false},
    {"ndcg_cut", MetricKind::ndcg_cut, true},
    {"ndcg_burges", MetricKind::ndcg_burges, false},
    {"ndcg_burges_cut", MetricKind::ndcg_burges_cut, true},
    {"bpref", MetricKind::bpref, false},
    {"success", MetricKind::success, true},
    {"judged", MetricKind::judged, true},
    {"num_ret", MetricKind::num_ret, false},
    {"num_rel", MetricKind::num_rel, false},
    {"num_rel_ret", MetricKind::num_rel_ret, false},
}};

// Aliases for a stem written with "@k" (ranx / ir_measures style) or without a cutoff.
struct Alias {
  std::string_view name;
  std::string_view with_cutoff;     // the stem when a cutoff follows
  std::string_view without_cutoff;  // the stem when none does ("" = needs a cutoff)
};
constexpr std::array<Alias, 11> kAliases{{
    {"ndcg", "ndcg_cut", "ndcg"},
    {"ndcg_burges", "ndcg_burges_cut", "ndcg_burges"},
    {"map", "map_cut", "map"},
    {"ap", "map_cut", "map"},
    {"mrr", "recip_rank_cut", "recip_rank"},
    {"recip_rank", "recip_rank_cut", "recip_rank"},
    {"rr", "recip_rank_cut", "recip_rank"},
    {"hit", "success", ""},
    {"hits", "success", ""},
    {"precision", "P", ""},
    {"p", "P", ""},
}};

const Family* find_family(std::string_view stem) {
  for (const Family& f : kFamilies)
    if (f.name == stem) return &f;
  return nullptr;
}

[[noreturn]] void unknown(std::string_view name) {
  std::string known;
  for (const Family& f : kFamilies) {
    if (!known.empty()) known += ", ";
    known += f.name;
    if (f.cutoff) known += "_k";
  }
  throw InvalidArgument("unknown metric '" + std::string(name) + "'; expected one of " + known +
                        " (a cutoff may be written P_10, P.10 or P@10; aliases: ndcg@k, mrr, mrr@k, map@k, hit@k)");
}

std::uint32_t parse_cutoff(std::string_view name, std::string_view digits) {
  std::uint32_t k = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || k == 0) {
    throw InvalidArgument("metric '" + std::string(name) + "' has cutoff '" + std::string(digits) +
                          "'; expected a positive integer such as 10");
  }
  return k;
}

Metric make(std::string_view name, const Family& family, std::uint32_t cutoff) {
  if (family.cutoff && cutoff == 0) {
    throw InvalidArgument("metric '" + std::string(name) + "' needs a cutoff: write " + std::string(family.name) +
                          "_10, " + std::string(family.name) + ".10 or " + std::string(family.name) + "@10");
  }
  if (!family.cutoff && cutoff != 0) {
    throw InvalidArgument("metric '" + std::string(family.name) + "' takes no cutoff, got '" + std::string(name) + "'");
  }
  return Metric{family.kind, cutoff};
}

}  // namespace

bool Metric::has_cutoff() const noexcept {
  for (const Family& f : kFamilies)
    if (f.kind == kind) return f.cutoff;
  return false;
}

std::string Metric::name() const {
  for (const Family& f : kFamilies) {
    if (f.kind == kind) return f.cutoff ? std::string(f.name) + "_" + std::to_string(cutoff) : std::string(f.name);
  }
  return "unknown";
}

Metric parse_metric(std::string_view name) {
  // "stem@k" (alias spelling) or "stem.k".
  for (char sep : {'@', '.'}) {
    const std::size_t at = name.rfind(sep);
    if (at == std::string_view::npos) continue;
    const std::string_view stem = name.substr(0, at);
    const std::uint32_t k = parse_cutoff(name, name.substr(at + 1));
    for (const Alias& a : kAliases)
      if (a.name == stem) return make(name, *find_family(a.with_cutoff), k);
    if (const Family* f = find_family(stem)) {
      // A family without a cutoff ("ndcg.10", "map@10") names its cut family.
      if (!f->cutoff) {
        for (const Alias& a : kAliases)
          if (a.name == f->name) return make(name, *find_family(a.with_cutoff), k);
      }
      return make(name, *f, k);
    }
    unknown(name);
  }
  // Canonical "stem_k": the longest stem that is a cut family, followed by digits.
  const std::size_t underscore = name.rfind('_');
  if (underscore != std::string_view::npos && underscore + 1 < name.size() &&
      name.find_first_not_of("0123456789", underscore + 1) == std::string_view::npos) {
    const std::string_view stem = name.substr(0, underscore);
    if (const Family* f = find_family(stem); f != nullptr && f->cutoff) {
      return make(name, *f, parse_cutoff(name, name.substr(underscore + 1)));
    }
  }
  if (const Family* f = find_family(name)) return make(name, *f, 0);
  for (const Alias& a : kAliases) {
    if (a.name != name) continue;
    if (a.without_cutoff.empty()) return make(name, *find_family(a.with_cutoff), 0);  // throws: needs a cutoff
    return make(name, *find_family(a.without_cutoff), 0);
  }
  unknown(name);
}

}  // namespace ragkernel::eval

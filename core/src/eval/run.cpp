#include "ragkernel/eval/run.hpp"

#include <cmath>
#include <limits>

#include "ragkernel/error.hpp"

namespace ragkernel::eval {

std::size_t Run::find_query(std::string_view query) const {
  auto it = index_.find(query);
  return it == index_.end() ? npos : it->second;
}

std::size_t Run::add_query(std::string_view query) {
  auto it = index_.find(query);
  if (it != index_.end()) return it->second;
  const std::size_t q = queries_.size();
  queries_.push_back(Query{std::string(query), {}, {}, false});
  index_.emplace(std::string(query), q);
  return q;
}

void Run::reserve(std::size_t q, std::size_t entries, std::size_t doc_bytes) {
  queries_[q].entries.reserve(queries_[q].entries.size() + entries);
  queries_[q].docs.reserve(queries_[q].docs.size() + doc_bytes);
}

void Run::add_at(std::size_t q, std::string_view doc, double score) {
  Query& query = queries_[q];
  if (std::isnan(score)) {
    throw InvalidArgument("query '" + query.id + "' gives document '" + std::string(doc) +
                          "' a NaN score; expected a number");
  }
  if (query.docs.size() + doc.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InvalidArgument("query '" + query.id + "' has more than 4 GiB of document ids");
  }
  query.entries.push_back(
      Entry{static_cast<std::uint32_t>(query.docs.size()), static_cast<std::uint32_t>(doc.size()), score});
  query.docs.append(doc);
  query.unique = false;
  ++size_;
}

void Run::add(std::string_view query, std::string_view doc, double score) {
  if (std::isnan(score)) {
    throw InvalidArgument("query '" + std::string(query) + "' gives document '" + std::string(doc) +
                          "' a NaN score; expected a number");
  }
  add_at(add_query(query), doc, score);
}

}  // namespace ragkernel::eval

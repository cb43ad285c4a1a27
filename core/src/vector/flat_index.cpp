// The flat index: rows in id order, searched by exact scan (vector/scan.cpp).
#include "vector/index_impl.hpp"
#include "vector/scan.hpp"

namespace ragkernel::vector {
namespace {

class FlatImpl final : public Index::Impl {
 public:
  using Impl::Impl;

  void insert(std::span<const std::uint32_t> ids, const float* prepared, const float* norms) override {
    // Scans read every row, so rows are written with readers excluded (a copy is quick).
    std::unique_lock lock(mutex);
    const std::size_t d = options.dim;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      store.put(ids[i], prepared + i * d, norms[i]);
      store.set_state(ids[i], detail::kLive);
    }
  }

  void erase(std::span<const std::uint32_t> ids) override {
    for (std::uint32_t id : ids) store.set_state(id, detail::kFree);
  }

  void search(const float* prepared, std::size_t nq, std::size_t k, const Bitset* allow, const SearchParams& params,
              std::vector<std::vector<detail::Candidate>>& out) const override {
    detail::exact_scan(store, prepared, nq, k, allow, params, out);
  }
};

}  // namespace

std::unique_ptr<Index::Impl> make_flat(const IndexOptions& options) { return std::make_unique<FlatImpl>(options); }

}  // namespace ragkernel::vector

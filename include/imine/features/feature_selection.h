// Feature selection by mutual information: each dense feature is binned (on its z-score) and
// its MI with every target category is computed from count tables that the trainer sums over
// ranks, so the ranking is that of the whole training set at any number of ranks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imine {

class MutualInfoCounts {
 public:
  // Bin edges on the z-score: (-inf, -1.5), [-1.5, -1), ..., [1.5, inf): 8 bins.
  static constexpr int kBins = 8;

  MutualInfoCounts(size_t dim, size_t num_categories);

  // `z`: one normalised row of dim() values; `targets`: its multi-hot [C] targets.
  void add(const float* z, const uint8_t* targets);

  // Per (feature, bin): the row count, then the positives of each category: [dim x bins x
  // (1 + C)], as one vector to allreduce(sum) and hand back with set_raw.
  const std::vector<double>& raw() const { return counts_; }
  void set_raw(const std::vector<double>& raw);

  // MI(feature f, category c) in nats, row-major [dim x C]; 0 where no rows were added.
  std::vector<double> mutual_information() const;

  size_t dim() const { return dim_; }
  size_t num_categories() const { return C_; }
  static int bin_of(float z);

 private:
  size_t dim_, C_;
  std::vector<double> counts_;
  std::vector<uint32_t> positives_;  // scratch: the positive categories of a row
};

struct FeatureRanking {
  std::vector<double> score;  // per feature: mean MI over the categories
  std::vector<int> order;     // features by score, highest first (ties: lower index)
  std::vector<int> selected;  // kept features, ascending
};

// Ranks by mean MI over categories and keeps the `keep` best (all when keep == 0 or keep >=
// dim), plus every feature in `always` (e.g. the wide path's history block).
FeatureRanking rank_features(const std::vector<double>& mi, size_t dim, size_t num_categories,
                             size_t keep, const std::vector<int>& always);

// The feature-report.json text: method, bins, the selection size and one entry per feature in
// rank order (name, index, mean MI, the category with the highest MI, selected).
std::string feature_report_json(const FeatureRanking& r, const std::vector<double>& mi,
                                const std::vector<std::string>& feature_names,
                                const std::vector<std::string>& category_names);

}  // namespace imine

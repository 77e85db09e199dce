#include "imine/nn/per_example.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace imine {

Eigen::VectorXf column_sq_norms(const Eigen::MatrixXf& m) {
  return m.colwise().squaredNorm().transpose();
}

Eigen::VectorXf sparse_column_sq_norms(const SparseBatch& x) {
  Eigen::VectorXf out(static_cast<Eigen::Index>(x.cols()));
  std::vector<std::pair<uint32_t, float>> col;
  for (size_t j = 0; j < x.cols(); ++j) {
    col.clear();
    for (size_t p = x.offsets[j]; p < x.offsets[j + 1]; ++p)
      col.emplace_back(x.index[p], x.value[p]);
    std::sort(col.begin(), col.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    double sq = 0.0;
    for (size_t p = 0; p < col.size();) {
      double v = 0.0;
      const uint32_t b = col[p].first;
      for (; p < col.size() && col[p].first == b; ++p) v += col[p].second;
      sq += v * v;
    }
    out(static_cast<Eigen::Index>(j)) = static_cast<float>(sq);
  }
  return out;
}

Eigen::VectorXf clip_factors(const Eigen::VectorXf& norm2, float clip) {
  Eigen::VectorXf c(norm2.size());
  for (Eigen::Index j = 0; j < norm2.size(); ++j) {
    const float norm = std::sqrt(norm2(j));
    // A non-finite norm gets factor 0: the example is dropped rather than poisoning the sum.
    c(j) = !std::isfinite(norm) ? 0.0f : norm > clip ? clip / norm : 1.0f;
  }
  return c;
}

}  // namespace imine

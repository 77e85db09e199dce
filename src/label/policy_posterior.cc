#include "imine/label/policy_posterior.h"

#include <cmath>

#include "imine/util/error.h"

namespace imine {

void PosteriorHead::sigma(const Eigen::MatrixXf& h, float* out) const {
  const Eigen::Index H = hidden, m = h.cols();
  const int C = num_categories;
  IMINE_CHECK(h.rows() == H) << "posterior head: hidden layer has " << h.rows()
                             << " units, the head " << H;
  Eigen::MatrixXf y(H, m);
  for (int c = 0; c < C; ++c) {
    Eigen::Map<const Eigen::MatrixXf> a(cov.data() + static_cast<size_t>(c) * H * H, H, H);
    y.noalias() = a * h;  // A_c^-1 is symmetric: column- or row-major reads the same
    for (Eigen::Index u = 0; u < m; ++u) {
      const float q = h.col(u).dot(y.col(u));
      out[static_cast<size_t>(u) * C + c] = std::sqrt(std::max(0.0f, q));
    }
  }
}

Eigen::MatrixXf last_hidden(const Model& model, const Eigen::MatrixXf& x, const SparseRows* items,
                            size_t first_row) {
  const ModelSpec& spec = model.spec();
  if (spec.hidden.empty()) return x;
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const float* p = model.params().params();
  const std::vector<LinearInfo>& lin = model.linear_layers();
  Eigen::MatrixXf h = x;
  for (size_t k = 0; k < spec.hidden.size(); ++k) {
    Eigen::Map<const RowMajor> w(p + lin[k].offset_weight, lin[k].out, lin[k].in);
    Eigen::Map<const Eigen::VectorXf> b(p + lin[k].offset_bias, lin[k].out);
    Eigen::MatrixXf pre = w * h;
    pre.colwise() += b;
    if (k == 0 && spec.sparse_dim > 0) {
      IMINE_CHECK(items != nullptr && first_row + x.cols() <= items->size())
          << "last_hidden: the model has a sparse input but the item rows are missing";
      const TensorInfo t = model.sparse_table();
      for (Eigen::Index u = 0; u < x.cols(); ++u) {
        const size_t row = first_row + static_cast<size_t>(u);
        for (uint64_t i = items->offsets[row]; i < items->offsets[row + 1]; ++i) {
          Eigen::Map<const Eigen::VectorXf> r(p + t.offset + size_t{items->index[i]} * t.cols,
                                              t.cols);
          pre.col(u) += items->value[i] * r;
        }
      }
    }
    h = pre.cwiseMax(0.0f);
  }
  return h;
}

}  // namespace imine

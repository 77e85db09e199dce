#include "imine/nn/wide.h"

#include <utility>

#include "imine/util/error.h"

namespace imine {

WideLinear::WideLinear(ParamBuffer* buffer, std::vector<int> inputs, int input_dim, int out)
    : buffer_(buffer), inputs_(std::move(inputs)), out_(out) {
  IMINE_CHECK(buffer != nullptr) << "wide layer: no parameter buffer";
  IMINE_CHECK(!inputs_.empty() && out > 0) << "wide layer: needs inputs and outputs";
  for (int i : inputs_) {
    IMINE_CHECK(i >= 0 && i < input_dim)
        << "wide layer: input column " << i << " outside [0, " << input_dim << ")";
  }
  offset_ = buffer_->reserve(static_cast<size_t>(out) * inputs_.size());
}

void WideLinear::forward_add(const Eigen::MatrixXf& x, Eigen::MatrixXf* y) {
  const int k = static_cast<int>(inputs_.size());
  IMINE_CHECK(y->rows() == out_ && y->cols() == x.cols())
      << "wide layer: output is " << y->rows() << "x" << y->cols() << ", expected " << out_ << "x"
      << x.cols();
  xsel_.resize(k, x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (int i = 0; i < k; ++i) xsel_(i, j) = x(inputs_[i], j);
  }
  const auto w = buffer_->param_matrix(offset_, out_, k);
  y->noalias() += w * xsel_;
}

void WideLinear::backward(const Eigen::MatrixXf& dy) {
  const int k = static_cast<int>(inputs_.size());
  IMINE_CHECK(dy.rows() == out_ && dy.cols() == xsel_.cols())
      << "wide layer: output gradient is " << dy.rows() << "x" << dy.cols() << ", expected " << out_
      << "x" << xsel_.cols();
  if (dy.cols() == 0) return;
  buffer_->grad_matrix(offset_, out_, k).noalias() += dy * xsel_.transpose();
}

}  // namespace imine

#include "imine/nn/dropout.h"

#include "imine/util/error.h"

namespace imine {

Dropout::Dropout(float p, int layer_index) : p_(p), layer_index_(layer_index), draw_(p) {}

const Eigen::MatrixXf& Dropout::forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) {
  active_ = ctx.training && p_ > 0.0f;
  if (!active_) {
    mask_.resize(0, 0);
    return x;
  }
  const auto rows = x.rows();
  const auto cols = x.cols();
  IMINE_CHECK(cols == 0 || ctx.sample_keys != nullptr)
      << "dropout layer " << layer_index_ << ": training forward without sample keys";
  mask_.resize(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    const uint64_t key = DropoutMask::column_key(ctx.seed, ctx.sample_keys[j], ctx.step,
                                                 static_cast<uint64_t>(layer_index_));
    draw_.fill(key, mask_.col(j).data(), rows);
  }
  y_.resize(rows, cols);
  y_.array() = x.array() * mask_.array();
  return y_;
}

const Eigen::MatrixXf& Dropout::backward(const Eigen::MatrixXf& dy, bool need_input_grad) {
  if (!active_) return dy;
  IMINE_CHECK(dy.rows() == mask_.rows() && dy.cols() == mask_.cols())
      << "dropout layer " << layer_index_ << ": output gradient is " << dy.rows() << "x"
      << dy.cols() << ", expected " << mask_.rows() << "x" << mask_.cols();
  if (!need_input_grad) return dx_;
  dx_.resize(dy.rows(), dy.cols());
  dx_.array() = dy.array() * mask_.array();
  return dx_;
}

}  // namespace imine

#include "imine/nn/linear.h"

#include <cmath>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {

Linear::Linear(ParamBuffer* buffer, int in, int out, int layer_index)
    : buffer_(buffer), in_(in), out_(out), layer_index_(layer_index) {
  IMINE_CHECK(buffer != nullptr) << "Linear layer " << layer_index << ": no parameter buffer";
  IMINE_CHECK(in > 0 && out > 0) << "Linear layer " << layer_index << ": sizes must be positive, "
                                 << "got in=" << in << " out=" << out;
  offset_weight_ = buffer_->reserve(static_cast<size_t>(out) * in);
  offset_bias_ = buffer_->reserve(static_cast<size_t>(out));
}

void Linear::init(uint64_t seed) {
  Rng rng(seed, kStreamInit, static_cast<uint64_t>(layer_index_));
  const double stddev = std::sqrt(2.0 / in_);
  auto w = buffer_->param_matrix(offset_weight_, out_, in_);
  for (int r = 0; r < out_; ++r) {
    for (int c = 0; c < in_; ++c) w(r, c) = static_cast<float>(stddev * rng.normal());
  }
  buffer_->param_vec(offset_bias_, out_).setZero();
}

const Eigen::MatrixXf& Linear::forward(const Eigen::MatrixXf& x, const ForwardContext&) {
  IMINE_CHECK(x.rows() == in_) << "Linear layer " << layer_index_ << ": input has " << x.rows()
                               << " features, expected " << in_;
  input_ = &x;
  const auto w = buffer_->param_matrix(offset_weight_, out_, in_);
  const auto b = buffer_->param_vec(offset_bias_, out_);
  y_.resize(out_, x.cols());
  y_.noalias() = w * x;
  y_.colwise() += b;
  return y_;
}

const Eigen::MatrixXf& Linear::backward(const Eigen::MatrixXf& dy, bool need_input_grad) {
  IMINE_CHECK(input_ != nullptr) << "Linear layer " << layer_index_ << ": backward before forward";
  const Eigen::MatrixXf& x = *input_;
  IMINE_CHECK(dy.rows() == out_ && dy.cols() == x.cols())
      << "Linear layer " << layer_index_ << ": output gradient is " << dy.rows() << "x" << dy.cols()
      << ", expected " << out_ << "x" << x.cols();
  const auto batch = x.cols();
  dx_.resize(in_, batch);
  // An empty batch adds nothing; skipping also avoids reductions over zero columns.
  if (batch == 0) return dx_;
  auto gw = buffer_->grad_matrix(offset_weight_, out_, in_);
  gw.noalias() += dy * x.transpose();
  buffer_->grad_vec(offset_bias_, out_) += dy.rowwise().sum();
  if (need_input_grad) {
    const auto w = buffer_->param_matrix(offset_weight_, out_, in_);
    dx_.noalias() = w.transpose() * dy;
  }
  return dx_;
}

}  // namespace imine

#include "imine/nn/relu.h"

#include "imine/util/error.h"

namespace imine {

const Eigen::MatrixXf& Relu::forward(const Eigen::MatrixXf& x, const ForwardContext&) {
  y_.resize(x.rows(), x.cols());
  y_.array() = x.array().max(0.0f);
  return y_;
}

const Eigen::MatrixXf& Relu::backward(const Eigen::MatrixXf& dy, bool need_input_grad) {
  IMINE_CHECK(dy.rows() == y_.rows() && dy.cols() == y_.cols())
      << "ReLU: output gradient is " << dy.rows() << "x" << dy.cols() << ", expected " << y_.rows()
      << "x" << y_.cols();
  if (!need_input_grad) return dx_;
  dx_.resize(dy.rows(), dy.cols());
  // y > 0 exactly where x > 0, so the output doubles as the mask.
  dx_.array() = (y_.array() > 0.0f).select(dy.array(), 0.0f);
  return dx_;
}

}  // namespace imine

// Elementwise max(x, 0).
#pragma once

#include "imine/nn/layer.h"

namespace imine {

class Relu : public Layer {
 public:
  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) override;
  // The subgradient at exactly 0 is taken as 0.
  const Eigen::MatrixXf& backward(const Eigen::MatrixXf& dy, bool need_input_grad) override;

 private:
  Eigen::MatrixXf y_;
  Eigen::MatrixXf dx_;
};

}  // namespace imine

// Inverted dropout: kept units are scaled by 1/(1-p) in training so inference is the identity.
#pragma once

#include "imine/nn/dropout_mask.h"
#include "imine/nn/layer.h"

namespace imine {

class Dropout : public Layer {
 public:
  // 0 <= p < 1. `layer_index` keys the mask stream so stacked dropouts draw different masks.
  Dropout(float p, int layer_index);

  // In training, column j keeps unit i iff DropoutMask::keep(column_key(seed, sample_keys[j],
  // step, layer_index), i), so a sample gets the same mask whatever batch (or rank) it is in,
  // and the same as in the fused MLP.
  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) override;
  const Eigen::MatrixXf& backward(const Eigen::MatrixXf& dy, bool need_input_grad) override;

  float p() const { return p_; }
  // Mask of the last training forward (0 or 1/(1-p)); empty after an inactive forward.
  const Eigen::MatrixXf& mask() const { return mask_; }

 private:
  float p_;
  int layer_index_;
  DropoutMask draw_;
  bool active_ = false;
  Eigen::MatrixXf mask_;
  Eigen::MatrixXf y_;
  Eigen::MatrixXf dx_;
};

}  // namespace imine

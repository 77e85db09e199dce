// The wide part of Wide & Deep (Cheng et al. 2016): a direct linear map from chosen input
// columns (the user's own history features) to the logits, beside the MLP, so the model can
// always fall back on what the user already did.
#pragma once

#include <cstddef>
#include <vector>

#include "imine/nn/eigen.h"
#include "imine/nn/param_buffer.h"

namespace imine {

class WideLinear {
 public:
  // Weight [out, inputs.size()] row-major in `buffer` (no bias: the deep output layer has one).
  // `inputs` are row indices of the model input, each in [0, input_dim).
  WideLinear(ParamBuffer* buffer, std::vector<int> inputs, int input_dim, int out);

  // Zero: training starts from the deep model alone and moves weight onto the history only as
  // far as the loss asks for it.
  void init() { buffer_->param_vec(offset_, num_params_int()).setZero(); }

  // y += W x[inputs, :]. x must stay alive and unchanged until backward().
  void forward_add(const Eigen::MatrixXf& x, Eigen::MatrixXf* y);
  // Adds dL/dW = dy x[inputs, :]^T to the gradients.
  void backward(const Eigen::MatrixXf& dy);

  const std::vector<int>& inputs() const { return inputs_; }
  int out() const { return out_; }
  size_t offset() const { return offset_; }

 private:
  int num_params_int() const { return out_ * static_cast<int>(inputs_.size()); }

  ParamBuffer* buffer_;
  std::vector<int> inputs_;
  int out_;
  size_t offset_;
  Eigen::MatrixXf xsel_;  // x[inputs, :] of the last forward
};

}  // namespace imine

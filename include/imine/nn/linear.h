// Fully connected layer y = W x + b with W stored [out, in] row-major in a ParamBuffer.
#pragma once

#include <cstddef>

#include "imine/nn/layer.h"
#include "imine/nn/param_buffer.h"

namespace imine {

class Linear : public Layer {
 public:
  // Reserves out*in weights followed by out biases in `buffer`, which must outlive the layer.
  // `layer_index` keys the init stream so each layer's weights are independent of the others.
  Linear(ParamBuffer* buffer, int in, int out, int layer_index);

  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) override;
  const Eigen::MatrixXf& backward(const Eigen::MatrixXf& dy, bool need_input_grad) override;
  // He-normal weights from Rng(seed, kStreamInit, layer_index) in row-major order; zero bias.
  void init(uint64_t seed) override;

  int in() const { return in_; }
  int out() const { return out_; }
  size_t offset_weight() const { return offset_weight_; }
  size_t offset_bias() const { return offset_bias_; }
  // The input of the last forward() (null before it): per-example gradient norms need it.
  const Eigen::MatrixXf* input() const { return input_; }

 private:
  ParamBuffer* buffer_;
  int in_;
  int out_;
  int layer_index_;
  size_t offset_weight_;
  size_t offset_bias_;
  const Eigen::MatrixXf* input_ = nullptr;
  Eigen::MatrixXf y_;
  Eigen::MatrixXf dx_;
};

}  // namespace imine

// The MLP: per hidden layer Linear -> ReLU -> Dropout (when dropout > 0), then a final Linear
// producing logits. All parameters live in one ParamBuffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "imine/nn/eigen.h"
#include "imine/nn/layer.h"
#include "imine/nn/param_buffer.h"

namespace imine {

struct ModelSpec {
  int input_dim = 0;
  std::vector<int> hidden;
  int output_dim = 0;
  float dropout = 0.0f;

  bool operator==(const ModelSpec& o) const {
    return input_dim == o.input_dim && hidden == o.hidden && output_dim == o.output_dim &&
           dropout == o.dropout;
  }
  bool operator!=(const ModelSpec& o) const { return !(*this == o); }
  // e.g. "in=64 hidden=[128,64] out=20 dropout=0.1", for logs and error messages.
  std::string describe() const;
};

// Where the k-th Linear layer's tensors live in the flat parameter vector: weight [out, in]
// row-major at offset_weight, bias [out] at offset_bias.
struct LinearInfo {
  size_t offset_weight = 0;
  size_t offset_bias = 0;
  int out = 0;
  int in = 0;
};

class Model {
 public:
  // Throws Error on a spec with non-positive sizes or dropout outside [0, 1). Parameters are
  // zero until init().
  explicit Model(const ModelSpec& spec);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Linear k (0-based, the output layer is k = hidden.size()) draws from
  // Rng(seed, kStreamInit, k); biases are zero.
  void init(uint64_t seed);

  // x is [input_dim x batch] (batch may be 0); returns logits [output_dim x batch], valid until
  // the next forward(). x must stay alive until backward(). Dropout on hidden layer k uses
  // layer_index k.
  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx);
  // Adds d(loss)/d(params) for the last forward() to params().grads(); call
  // params().zero_grads() first to start a new accumulation.
  void backward(const Eigen::MatrixXf& dlogits);

  ParamBuffer& params() { return *params_; }
  const ParamBuffer& params() const { return *params_; }
  // Size of the flat buffer (what the optimizer and allreduce see), alignment padding included.
  size_t num_params() const { return params_->size(); }
  // Trainable weights and biases, without padding (what a user means by "parameters").
  size_t num_weights() const;
  const ModelSpec& spec() const { return spec_; }
  const std::vector<LinearInfo>& linear_layers() const { return linears_; }

 private:
  ModelSpec spec_;
  // Held by pointer so its address, which the layers keep, survives moving the Model.
  std::unique_ptr<ParamBuffer> params_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<LinearInfo> linears_;
  const Eigen::MatrixXf* input_ = nullptr;
};

}  // namespace imine

// The layer interface of the MLP: column-major activations [features x batch], one column per
// sample; parameters live in a shared ParamBuffer.
#pragma once

#include <cstdint>

#include "imine/nn/eigen.h"

namespace imine {

struct ForwardContext {
  bool training = false;  // dropout is applied only when training
  uint64_t seed = 0;
  uint64_t step = 0;
  // One key per column (the user id), so dropout masks do not depend on batch composition.
  // Required when training a model with dropout; may be null otherwise.
  const uint64_t* sample_keys = nullptr;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // The returned reference stays valid until the next forward(). `x` must stay alive and
  // unchanged until the matching backward(), which reads it instead of keeping a copy.
  virtual const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) = 0;

  // Takes dL/d(output) of the last forward(), ADDS the parameter gradients (sums over the
  // columns) to the ParamBuffer and returns dL/d(input) when need_input_grad (otherwise the
  // returned matrix is unspecified).
  virtual const Eigen::MatrixXf& backward(const Eigen::MatrixXf& dy, bool need_input_grad) = 0;

  // Draws initial parameters; layers without parameters do nothing.
  virtual void init(uint64_t /*seed*/) {}
};

}  // namespace imine

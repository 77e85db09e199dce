// The fast path of the MLP's dense stack (Linear -> ReLU -> Dropout ... -> Linear): the same
// parameters (a ParamBuffer and its LinearInfo slices) and the same mathematics as the Layer
// chain, but each Linear is one oneDNN product with bias and ReLU fused into it, the backward
// pass applies the ReLU/dropout mask and sums the bias gradient in one pass, and every buffer is
// kept across steps. In bf16 the products read bf16 activations and a bf16 copy of the weights
// (refreshed at every forward, i.e. after every optimizer update) and accumulate in fp32.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "imine/nn/dropout_mask.h"
#include "imine/nn/eigen.h"
#include "imine/nn/gemm.h"
#include "imine/nn/layer.h"
#include "imine/nn/param_buffer.h"

namespace imine {

struct LinearInfo;

class FusedMlp {
 public:
  // `layers` are the Linear slices in order (hidden layers first, the output layer last);
  // hidden layer k is followed by ReLU and, when dropout > 0, by dropout with layer_index k.
  // `params` must outlive this object.
  FusedMlp(ParamBuffer* params, const std::vector<LinearInfo>& layers, float dropout,
           Precision precision);

  Precision precision() const { return precision_; }

  // Same contract as Model::forward: x is [in x batch] and must stay alive until backward();
  // the returned logits stay valid until the next forward().
  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const ForwardContext& ctx);
  // The last hidden layer's output (after ReLU and any dropout) of the last forward(), fp32
  // (converted from bf16 in bf16 mode); the input itself when there is no hidden layer.
  const Eigen::MatrixXf& last_hidden();
  // Adds the parameter gradients of the last forward() to params->grads().
  // level_done(k), if set, is called as soon as level k's weight and bias gradients are final
  // (levels finish from the last to the first), so their reduction can start early.
  void backward(const Eigen::MatrixXf& dlogits,
                const std::function<void(size_t)>& level_done = nullptr);

  // DP-SGD in two halves (src/nn/fused_mlp_dp.cc, fp32 only). First: every level's gradient
  // w.r.t. its pre-activation (no parameter gradients), adding each example's squared
  // gradient norm over all levels to norm2[j] (||a_j||^2 ||dz_j||^2 + ||dz_j||^2 per level).
  void dp_activation_grads(const Eigen::MatrixXf& dlogits, float* norm2);
  // Second: scales example j's pre-activation gradients by scale[j] (scaled_dlogits is dlogits
  // already scaled) and adds the parameter gradients, as backward() would for scaled dlogits.
  void dp_param_grads(const Eigen::MatrixXf& scaled_dlogits, const float* scale,
                      const std::function<void(size_t)>& level_done = nullptr);

 private:
  struct Level {
    int in = 0;
    int out = 0;
    size_t offset_weight = 0;
    size_t offset_bias = 0;
    Bf16Buffer w16;  // bf16 copy of the weights (bf16 only)
    // Output after ReLU and dropout (fp32; hidden levels). No mask is kept: a unit passes
    // gradient iff h > 0, and then it was kept and scaled by the dropout scale.
    Eigen::MatrixXf h;
    Bf16Buffer h16;      // the same in bf16 (bf16; hidden levels)
    Eigen::MatrixXf dh;  // dL/d(output) from the next product, fp32
    Bf16Buffer dz16;     // dL/d(pre-activation) in bf16 (bf16 only)
  };

  MatView input_view(size_t k, int64_t batch) const;
  void apply_dropout(size_t k, int64_t batch, const ForwardContext& ctx);
  // dz = dh * relu'(h) * dropout factor, in place (and to bf16), and adds its row sums to the
  // bias gradient of level k.
  void mask_and_bias_grad(size_t k, int64_t batch);

  ParamBuffer* params_;
  float dropout_;
  DropoutMask draw_;
  Precision precision_;
  std::vector<Level> levels_;
  const Eigen::MatrixXf* input_ = nullptr;
  bool dropout_active_ = false;  // the last forward applied dropout masks
  Bf16Buffer x16_;
  Eigen::MatrixXf logits_;
  Eigen::MatrixXf hidden_f32_;  // last_hidden() in bf16 mode
  Bf16Buffer dlogits16_;
  AlignedFloats acc_;  // bias-gradient row sums
};

}  // namespace imine

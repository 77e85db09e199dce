// The MLP: per hidden layer Linear -> ReLU -> Dropout (when dropout > 0), then a final Linear
// producing logits. Optional parts (Wide & Deep): sparse item buckets added to the first
// Linear's pre-activation (SparseLinear), and a wide linear path from chosen input columns (and
// optionally the item buckets) straight to the logits. All parameters live in one ParamBuffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "imine/nn/eigen.h"
#include "imine/nn/gemm.h"
#include "imine/nn/layer.h"
#include "imine/nn/param_buffer.h"
#include "imine/nn/sparse_linear.h"

namespace imine {

struct ModelSpec {
  int input_dim = 0;
  std::vector<int> hidden;
  int output_dim = 0;
  float dropout = 0.0f;
  // Sparse input rows (item buckets) feeding the first Linear; 0 = no sparse input.
  int sparse_dim = 0;
  // Dense input columns with a direct linear path to the logits; empty = no wide path.
  std::vector<int> wide_inputs{};
  // The sparse input also feeds the logits directly (needs sparse_dim > 0).
  bool wide_sparse = false;

  bool operator==(const ModelSpec& o) const {
    return input_dim == o.input_dim && hidden == o.hidden && output_dim == o.output_dim &&
           dropout == o.dropout && sparse_dim == o.sparse_dim && wide_inputs == o.wide_inputs &&
           wide_sparse == o.wide_sparse;
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

// A tensor outside the Linear stack: `rows x cols` floats row-major at `offset`.
struct TensorInfo {
  size_t offset = 0;
  int rows = 0;
  int cols = 0;
  size_t size() const { return static_cast<size_t>(rows) * cols; }
};

class WideLinear;
class FusedMlp;

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
  // As above with the sparse input (sparse->cols() == x.cols()), required iff sparse_dim > 0;
  // *sparse must stay alive until backward().
  const Eigen::MatrixXf& forward(const Eigen::MatrixXf& x, const SparseBatch* sparse,
                                 const ForwardContext& ctx);
  // The last hidden layer's output (after ReLU and any dropout) of the last forward(), in
  // fp32, [hidden.back() x batch]; the input itself without hidden layers. Valid until the
  // next forward(). The NeuralLinear head's features (label/policy_posterior.h).
  const Eigen::MatrixXf& last_hidden_output();
  // Adds d(loss)/d(params) for the last forward() to params().grads(); call
  // params().zero_grads() first to start a new accumulation.
  void backward(const Eigen::MatrixXf& dlogits);
  // DP-SGD backward (src/nn/model_dp.cc): computes every example's gradient norm over all
  // parameters without materialising per-example gradients (per layer ||a||^2 ||g||^2, plus
  // ||g||^2 for a bias), then adds the gradients with example j scaled by min(1, clip / norm_j)
  // to params().grads(). norms (may be null) receives the unclipped norms.
  void backward_clipped(const Eigen::MatrixXf& dlogits, float clip, Eigen::VectorXf* norms);
  // Called during backward() with an offset x each time the gradients of [x, num_params())
  // have all become final, x decreasing; lets the gradient reduction start before backward ends.
  void set_grads_ready_hook(std::function<void(size_t)> hook) { grads_ready_ = std::move(hook); }

  ParamBuffer& params() { return *params_; }
  const ParamBuffer& params() const { return *params_; }
  // Size of the flat buffer (what the optimizer and allreduce see), alignment padding included.
  size_t num_params() const { return params_->size(); }
  // Trainable weights and biases, without padding (what a user means by "parameters").
  size_t num_weights() const;
  const ModelSpec& spec() const { return spec_; }
  const std::vector<LinearInfo>& linear_layers() const { return linears_; }
  // How the Linear/ReLU/Dropout stack is computed; the default is the fused oneDNN path in fp32.
  // A model with a sparse input always uses the Layer chain (kEigen, fp32); bf16 on it, or on
  // kEigen, throws Error. Parameters and their layout do not depend on this.
  void set_compute(const ComputeOptions& options);
  const ComputeOptions& compute() const { return compute_; }
  // The optional tensors (size() == 0 when absent): the sparse table [sparse_dim, hidden[0] (or
  // output_dim without hidden layers)], the wide weight [output_dim, wide_inputs.size()] and the
  // sparse-to-logits table [sparse_dim, output_dim].
  TensorInfo sparse_table() const;
  TensorInfo wide_weight() const;
  TensorInfo wide_sparse_table() const;
  // Every parameter slice (offset, count) without padding, in the checkpoint's order: each
  // Linear's weight then bias, then the sparse table, the wide weight, the wide sparse table.
  std::vector<std::pair<size_t, size_t>> param_slices() const;

 private:
  ModelSpec spec_;
  // Held by pointer so its address, which the layers keep, survives moving the Model.
  std::unique_ptr<ParamBuffer> params_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<LinearInfo> linears_;
  std::unique_ptr<SparseLinear> sparse_, wide_sparse_;
  std::unique_ptr<WideLinear> wide_;
  ComputeOptions compute_;
  std::unique_ptr<FusedMlp> fused_;               // null on the Layer-chain path
  const Eigen::MatrixXf* last_hidden_ = nullptr;  // Layer chain: set by forward()
  std::function<void(size_t)> grads_ready_;
  std::vector<std::pair<size_t, size_t>> done_slices_;  // this backward's final slices
  void mark_done(size_t offset, size_t size);
  const Eigen::MatrixXf* input_ = nullptr;
  const SparseBatch* sparse_input_ = nullptr;
  Eigen::MatrixXf pre_;     // first Linear's output plus the sparse product
  Eigen::MatrixXf logits_;  // deep logits plus the wide path
};

}  // namespace imine

// The DP-SGD halves of FusedMlp: activation gradients first (to learn every example's gradient
// norm), parameter gradients second (with each example's pre-activation gradients scaled by its
// clip factor). Together they cost one backward pass plus a few column norms: the scaled
// parameter gradients are exactly backward()'s for the scaled logit gradient, because the
// backward pass is linear in it.
#include <cstring>

#include "imine/nn/fused_mlp.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// Row-major views of column-major Eigen storage, as in fused_mlp.cc.
MatView dp_rows_view(const void* data, int64_t rows, int64_t cols) {
  return MatView{data, rows, cols, cols, 1, DataType::kF32};
}
MatView dp_transposed_view(const void* data, int64_t rows, int64_t cols) {
  return MatView{data, rows, cols, 1, rows, DataType::kF32};
}

// ||column j||^2 of a [rows x cols] column-major array, accumulated in double.
double col_sq(const float* p, int rows) {
  double s = 0.0;
  for (int i = 0; i < rows; ++i) s += static_cast<double>(p[i]) * p[i];
  return s;
}

}  // namespace

void FusedMlp::dp_activation_grads(const Eigen::MatrixXf& dlogits, float* norm2) {
  IMINE_CHECK(input_ != nullptr) << "fused MLP: backward before forward";
  IMINE_CHECK(precision_ == Precision::kFp32)
      << "fused MLP: per-example clipping (DP-SGD) needs fp32 (--precision fp32)";
  const int64_t batch = input_->cols();
  if (batch == 0) return;
  const size_t last = levels_.size() - 1;
  for (size_t k = last + 1; k-- > 0;) {
    Level& level = levels_[k];
    const float* dz = k == last ? dlogits.data() : level.dh.data();
    const float* a = k == 0 ? input_->data() : levels_[k - 1].h.data();
    for (int64_t j = 0; j < batch; ++j) {
      const double g2 = col_sq(dz + j * level.out, level.out);
      const double a2 = col_sq(a + j * level.in, level.in);
      norm2[j] += static_cast<float>(g2 * a2 + g2);
    }
    if (k == 0) break;
    Level& below = levels_[k - 1];
    below.dh.resize(below.out, batch);
    matmul(dp_rows_view(dz, batch, level.out),
           dp_rows_view(params_->params() + level.offset_weight, level.out, level.in),
           dp_rows_view(below.dh.data(), batch, level.in), MatmulEpilogue{});
    // Through ReLU and dropout: h (after both) is > 0 exactly where the gradient passes.
    const size_t n = static_cast<size_t>(below.out) * batch;
    float* d = below.dh.data();
    const float* h = below.h.data();
    const float s = dropout_active_ ? draw_.scale() : 1.0f;
    for (size_t i = 0; i < n; ++i) d[i] = h[i] > 0 ? d[i] * s : 0.0f;
  }
}

void FusedMlp::dp_param_grads(const Eigen::MatrixXf& scaled_dlogits, const float* scale,
                              const std::function<void(size_t)>& level_done) {
  const int64_t batch = input_->cols();
  if (batch == 0) return;
  const size_t last = levels_.size() - 1;
  for (size_t k = last + 1; k-- > 0;) {
    Level& level = levels_[k];
    const float* dz = scaled_dlogits.data();
    if (k != last) {
      for (int64_t j = 0; j < batch; ++j) level.dh.col(j) *= scale[j];
      dz = level.dh.data();
    }
    float* gb = params_->grads() + level.offset_bias;
    acc_.assign(level.out, 0.0f);
    for (int64_t j = 0; j < batch; ++j) {
      const float* dj = dz + j * level.out;
      for (int i = 0; i < level.out; ++i) acc_[i] += dj[i];
    }
    for (int i = 0; i < level.out; ++i) gb[i] += acc_[i];
    MatmulEpilogue acc;
    acc.accumulate = true;
    matmul(dp_transposed_view(dz, level.out, batch), input_view(k, batch),
           dp_rows_view(params_->grads() + level.offset_weight, level.out, level.in), acc);
    if (level_done) level_done(k);
  }
}

}  // namespace imine

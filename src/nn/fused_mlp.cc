#include "imine/nn/fused_mlp.h"

#include <cstring>

#include "imine/nn/model.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// Row-major [rows, cols] views of contiguous column-major Eigen storage: an activation matrix
// [features x batch] is a row-major [batch, features] matrix, the layout the products expect.
MatView rows_view(const void* data, int64_t rows, int64_t cols, DataType type) {
  return MatView{data, rows, cols, cols, 1, type};
}
// The transpose of rows_view(data, cols, rows): [rows, cols] with unit row stride.
MatView transposed_view(const void* data, int64_t rows, int64_t cols, DataType type) {
  return MatView{data, rows, cols, 1, rows, type};
}

}  // namespace

FusedMlp::FusedMlp(ParamBuffer* params, const std::vector<LinearInfo>& layers, float dropout,
                   Precision precision)
    : params_(params), dropout_(dropout), draw_(dropout), precision_(precision) {
  IMINE_CHECK(params != nullptr && !layers.empty()) << "fused MLP: no parameters or layers";
  for (const LinearInfo& l : layers) {
    Level level;
    level.in = l.in;
    level.out = l.out;
    level.offset_weight = l.offset_weight;
    level.offset_bias = l.offset_bias;
    levels_.push_back(std::move(level));
  }
}

MatView FusedMlp::input_view(size_t k, int64_t batch) const {
  const int in = levels_[k].in;
  if (precision_ == Precision::kBf16) {
    const uint16_t* p = k == 0 ? x16_.data() : levels_[k - 1].h16.data();
    return rows_view(p, batch, in, DataType::kBf16);
  }
  const float* p = k == 0 ? input_->data() : levels_[k - 1].h.data();
  return rows_view(p, batch, in, DataType::kF32);
}

const Eigen::MatrixXf& FusedMlp::forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) {
  input_ = &x;
  const int64_t batch = x.cols();
  const bool bf16 = precision_ == Precision::kBf16;
  const DataType type = bf16 ? DataType::kBf16 : DataType::kF32;
  const size_t last = levels_.size() - 1;
  logits_.resize(levels_[last].out, batch);
  dropout_active_ = ctx.training && dropout_ > 0.0f;
  if (batch == 0) return logits_;
  if (bf16) {
    x16_.resize(x.size());
    to_bf16(x.data(), x16_.data(), x.size());
  }
  for (size_t k = 0; k <= last; ++k) {
    Level& level = levels_[k];
    const float* w = params_->params() + level.offset_weight;
    const size_t wn = static_cast<size_t>(level.out) * level.in;
    const void* wdata = w;
    if (bf16) {
      level.w16.resize(wn);
      to_bf16(w, level.w16.data(), wn);
      wdata = level.w16.data();
    }
    // W is [out, in] row-major, so W^T is [in, out] with unit row stride.
    const MatView wt = transposed_view(wdata, level.in, level.out, type);
    MatmulEpilogue e;
    e.bias = params_->params() + level.offset_bias;
    if (k == last) {
      matmul(input_view(k, batch), wt, rows_view(logits_.data(), batch, level.out, DataType::kF32),
             e);
      break;
    }
    e.relu = true;
    void* out;
    if (bf16) {
      level.h16.resize(static_cast<size_t>(level.out) * batch);
      out = level.h16.data();
    } else {
      level.h.resize(level.out, batch);
      out = level.h.data();
    }
    matmul(input_view(k, batch), wt, rows_view(out, batch, level.out, type), e);
    if (dropout_active_) apply_dropout(k, batch, ctx);
  }
  return logits_;
}

const Eigen::MatrixXf& FusedMlp::last_hidden() {
  IMINE_CHECK(input_ != nullptr) << "last hidden output before forward";
  if (levels_.size() < 2) return *input_;
  const Level& level = levels_[levels_.size() - 2];
  if (precision_ != Precision::kBf16) return level.h;
  const int64_t batch = input_->cols();
  hidden_f32_.resize(level.out, batch);
  const uint16_t* in = level.h16.data();
  for (Eigen::Index i = 0; i < hidden_f32_.size(); ++i) {
    const uint32_t bits = static_cast<uint32_t>(in[i]) << 16;  // bf16 is the high half
    std::memcpy(hidden_f32_.data() + i, &bits, sizeof(bits));
  }
  return hidden_f32_;
}

void FusedMlp::apply_dropout(size_t k, int64_t batch, const ForwardContext& ctx) {
  IMINE_CHECK(ctx.sample_keys != nullptr)
      << "dropout layer " << k << ": training forward without sample keys";
  Level& level = levels_[k];
  const int rows = level.out;
  // The same masks as the Dropout layer (DropoutMask), applied in place.
  for (int64_t j = 0; j < batch; ++j) {
    const uint64_t key =
        DropoutMask::column_key(ctx.seed, ctx.sample_keys[j], ctx.step, static_cast<uint64_t>(k));
    if (precision_ == Precision::kBf16) {
      draw_.apply_bf16(key, level.h16.data() + j * rows, rows);
    } else {
      draw_.apply(key, level.h.data() + j * rows, rows);
    }
  }
}

namespace {

// d = (h > 0) ? d * s : 0 and acc += d over one column, s being the dropout scale (1 without
// dropout: d * 1 is d exactly); restrict and no branches so the compiler vectorises it. H is
// float or int16 (bf16 bits: > 0 as an integer iff > 0 as bf16).
template <typename H>
inline void mask_column(float* __restrict d, const H* __restrict h, float s, float* __restrict acc,
                        int rows) {
  for (int i = 0; i < rows; ++i) {
    const float v = h[i] > 0 ? d[i] * s : 0.0f;
    d[i] = v;
    acc[i] += v;
  }
}

// acc[i] += sum over columns of d(i, j), then grad += acc: one ordered sum per row.
void add_row_sums(const float* d, int rows, int64_t cols, float* acc, float* grad) {
  for (int64_t j = 0; j < cols; ++j) {
    const float* __restrict dj = d + j * rows;
    float* __restrict a = acc;
    for (int i = 0; i < rows; ++i) a[i] += dj[i];
  }
  for (int i = 0; i < rows; ++i) grad[i] += acc[i];
}

}  // namespace

void FusedMlp::mask_and_bias_grad(size_t k, int64_t batch) {
  Level& level = levels_[k];
  const int rows = level.out;
  float* dh = level.dh.data();
  const float s = dropout_active_ ? draw_.scale() : 1.0f;
  acc_.assign(rows, 0.0f);
  // The output of ReLU (then dropout) is > 0 exactly where the gradient passes; a dropped unit
  // is 0 there too, and a kept one was scaled by the dropout scale like in the forward pass.
  for (int64_t j = 0; j < batch; ++j) {
    if (precision_ == Precision::kBf16) {
      const int16_t* h = reinterpret_cast<const int16_t*>(level.h16.data()) + j * rows;
      mask_column(dh + j * rows, h, s, acc_.data(), rows);
    } else {
      mask_column(dh + j * rows, level.h.data() + j * rows, s, acc_.data(), rows);
    }
  }
  float* gb = params_->grads() + level.offset_bias;
  for (int i = 0; i < rows; ++i) gb[i] += acc_[i];
  if (precision_ == Precision::kBf16) {
    level.dz16.resize(static_cast<size_t>(rows) * batch);
    to_bf16(dh, level.dz16.data(), static_cast<size_t>(rows) * batch);
  }
}

void FusedMlp::backward(const Eigen::MatrixXf& dlogits,
                        const std::function<void(size_t)>& level_done) {
  IMINE_CHECK(input_ != nullptr) << "fused MLP: backward before forward";
  const int64_t batch = input_->cols();
  if (batch == 0) return;
  const bool bf16 = precision_ == Precision::kBf16;
  const DataType type = bf16 ? DataType::kBf16 : DataType::kF32;
  const size_t last = levels_.size() - 1;
  {
    const int rows = levels_[last].out;
    acc_.assign(rows, 0.0f);
    add_row_sums(dlogits.data(), rows, batch, acc_.data(),
                 params_->grads() + levels_[last].offset_bias);
    if (bf16) {
      dlogits16_.resize(dlogits.size());
      to_bf16(dlogits.data(), dlogits16_.data(), dlogits.size());
    }
  }
  for (size_t k = last + 1; k-- > 0;) {
    Level& level = levels_[k];
    const void* dz;
    if (k == last) {
      dz = bf16 ? static_cast<const void*>(dlogits16_.data()) : dlogits.data();
    } else {
      dz = bf16 ? static_cast<const void*>(level.dz16.data()) : level.dh.data();
    }
    // dW [out, in] += dZ [out x batch] * X^T, i.e. (dZ^T)^T X^T in row-major views.
    MatmulEpilogue acc;
    acc.accumulate = true;
    matmul(transposed_view(dz, level.out, batch, type), input_view(k, batch),
           rows_view(params_->grads() + level.offset_weight, level.out, level.in, DataType::kF32),
           acc);
    // Level k's bias gradient was summed one iteration earlier (or above, for the last level).
    if (level_done) level_done(k);
    if (k == 0) break;
    // dX^T [batch, in] = dZ^T [batch, out] * W [out, in].
    const void* w =
        bf16 ? static_cast<const void*>(level.w16.data()) : params_->params() + level.offset_weight;
    Level& below = levels_[k - 1];
    below.dh.resize(below.out, batch);
    matmul(rows_view(dz, batch, level.out, type), rows_view(w, level.out, level.in, type),
           rows_view(below.dh.data(), batch, level.in, DataType::kF32), MatmulEpilogue{});
    mask_and_bias_grad(k - 1, batch);
  }
}

}  // namespace imine

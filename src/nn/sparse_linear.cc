#include "imine/nn/sparse_linear.h"

#include "imine/util/error.h"

namespace imine {

SparseLinear::SparseLinear(ParamBuffer* buffer, int in, int out)
    : buffer_(buffer), in_(in), out_(out) {
  IMINE_CHECK(buffer != nullptr) << "SparseLinear: no parameter buffer";
  IMINE_CHECK(in > 0 && out > 0) << "SparseLinear: sizes must be positive, got in=" << in
                                 << " out=" << out;
  offset_ = buffer_->reserve(static_cast<size_t>(in) * out);
}

void SparseLinear::forward_add(const SparseBatch& x, Eigen::MatrixXf* y) const {
  IMINE_CHECK(y->rows() == out_ && static_cast<size_t>(y->cols()) == x.cols())
      << "SparseLinear: output is " << y->rows() << "x" << y->cols() << ", expected " << out_ << "x"
      << x.cols();
  const float* table = buffer_->params() + offset_;
  for (size_t j = 0; j < x.cols(); ++j) {
    float* yj = y->data() + j * static_cast<size_t>(out_);
    for (size_t p = x.offsets[j]; p < x.offsets[j + 1]; ++p) {
      const uint32_t b = x.index[p];
      IMINE_CHECK(b < static_cast<uint32_t>(in_))
          << "SparseLinear: input index " << b << " outside [0, " << in_ << ")";
      const float v = x.value[p];
      const float* row = table + static_cast<size_t>(b) * out_;
      for (int o = 0; o < out_; ++o) yj[o] += v * row[o];
    }
  }
}

void SparseLinear::backward(const SparseBatch& x, const Eigen::MatrixXf& dy) {
  IMINE_CHECK(dy.rows() == out_ && static_cast<size_t>(dy.cols()) == x.cols())
      << "SparseLinear: output gradient is " << dy.rows() << "x" << dy.cols() << ", expected "
      << out_ << "x" << x.cols();
  float* grad = buffer_->grads() + offset_;
  for (size_t j = 0; j < x.cols(); ++j) {
    const float* dj = dy.data() + j * static_cast<size_t>(out_);
    for (size_t p = x.offsets[j]; p < x.offsets[j + 1]; ++p) {
      const float v = x.value[p];
      float* row = grad + static_cast<size_t>(x.index[p]) * out_;
      for (int o = 0; o < out_; ++o) row[o] += v * dj[o];
    }
  }
}

}  // namespace imine

// Sparse inputs (hashed item buckets) to a layer: a sparse-times-dense product, so a user with
// 30 items costs 30 row reads instead of a 16k-wide dense column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imine/nn/eigen.h"
#include "imine/nn/param_buffer.h"

namespace imine {

// A batch of sparse input columns in CSR form: column j's non-zeros are
// (index[p], value[p]) for p in [offsets[j], offsets[j+1]).
struct SparseBatch {
  std::vector<size_t> offsets{0};
  std::vector<uint32_t> index;
  std::vector<float> value;

  size_t cols() const { return offsets.size() - 1; }
  void clear() {
    offsets.assign(1, 0);
    index.clear();
    value.clear();
  }
  // Appends one column with n non-zeros.
  void append(const uint32_t* idx, const float* val, size_t n) {
    index.insert(index.end(), idx, idx + n);
    value.insert(value.end(), val, val + n);
    offsets.push_back(index.size());
  }
};

// y += T^T x for a sparse x of `in` rows, with the table T stored [in, out] row-major: row b is
// what one unit of input b adds to the `out` outputs (an embedding bag), so the product reads
// one contiguous row per non-zero. No bias (the dense layer it feeds has one).
class SparseLinear {
 public:
  // Reserves in*out parameters in `buffer`, which must outlive the layer.
  SparseLinear(ParamBuffer* buffer, int in, int out);

  // Zero: rows of buckets no training user touches then add nothing at inference, instead of
  // the random noise a drawn init would leave in them (the dense path breaks the symmetry).
  void init() { buffer_->param_vec(offset_, in_ * out_).setZero(); }

  // x.cols() == y->cols(), y has out() rows; adds the product into *y.
  void forward_add(const SparseBatch& x, Eigen::MatrixXf* y) const;
  // Adds dL/dT for dL/dy = dy (same columns as x) to the buffer's gradients.
  void backward(const SparseBatch& x, const Eigen::MatrixXf& dy);

  int in() const { return in_; }
  int out() const { return out_; }
  size_t offset() const { return offset_; }

 private:
  ParamBuffer* buffer_;
  int in_;
  int out_;
  size_t offset_;
};

}  // namespace imine

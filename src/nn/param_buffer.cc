#include "imine/nn/param_buffer.h"

#include <algorithm>

#include "imine/util/error.h"

namespace imine {

size_t ParamBuffer::reserve(size_t count) {
  const size_t offset = (params_.size() + kSliceAlign - 1) / kSliceAlign * kSliceAlign;
  params_.resize(offset + count, 0.0f);
  grads_.resize(offset + count, 0.0f);
  return offset;
}

void ParamBuffer::zero_grads() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

void ParamBuffer::check_slice(size_t offset, size_t count) const {
  IMINE_CHECK(offset <= params_.size() && count <= params_.size() - offset)
      << "parameter slice [" << offset << ", " << offset + count << ") outside buffer of "
      << params_.size();
}

ParamBuffer::MatrixMap ParamBuffer::param_matrix(size_t offset, int rows, int cols) {
  check_slice(offset, static_cast<size_t>(rows) * cols);
  return MatrixMap(params_.data() + offset, rows, cols);
}

ParamBuffer::ConstMatrixMap ParamBuffer::param_matrix(size_t offset, int rows, int cols) const {
  check_slice(offset, static_cast<size_t>(rows) * cols);
  return ConstMatrixMap(params_.data() + offset, rows, cols);
}

ParamBuffer::MatrixMap ParamBuffer::grad_matrix(size_t offset, int rows, int cols) {
  check_slice(offset, static_cast<size_t>(rows) * cols);
  return MatrixMap(grads_.data() + offset, rows, cols);
}

ParamBuffer::VectorMap ParamBuffer::param_vec(size_t offset, int count) {
  check_slice(offset, static_cast<size_t>(count));
  return VectorMap(params_.data() + offset, count);
}

ParamBuffer::ConstVectorMap ParamBuffer::param_vec(size_t offset, int count) const {
  check_slice(offset, static_cast<size_t>(count));
  return ConstVectorMap(params_.data() + offset, count);
}

ParamBuffer::VectorMap ParamBuffer::grad_vec(size_t offset, int count) {
  check_slice(offset, static_cast<size_t>(count));
  return VectorMap(grads_.data() + offset, count);
}

}  // namespace imine

#include "imine/nn/param_buffer.h"

#include <algorithm>
#include <cstdint>

#include "imine/util/error.h"

namespace imine {

size_t ParamBuffer::reserve(size_t count) {
  IMINE_CHECK(external_grads_ == nullptr) << "parameter buffer grown while its gradients are lent";
  const size_t offset = (params_.size() + kSliceAlign - 1) / kSliceAlign * kSliceAlign;
  params_.resize(offset + count, 0.0f);
  grads_.resize(offset + count, 0.0f);
  return offset;
}

void ParamBuffer::zero_grads() { std::fill(grads(), grads() + size(), 0.0f); }

AlignedFloats& ParamBuffer::grad_vector() {
  IMINE_CHECK(external_grads_ == nullptr) << "gradients are in external storage";
  return grads_;
}

const AlignedFloats& ParamBuffer::grad_vector() const {
  IMINE_CHECK(external_grads_ == nullptr) << "gradients are in external storage";
  return grads_;
}

void ParamBuffer::use_grad_storage(float* storage) {
  IMINE_CHECK(storage != nullptr && reinterpret_cast<uintptr_t>(storage) % 64 == 0)
      << "gradient storage must be 64-byte aligned";
  std::copy(grads(), grads() + size(), storage);
  external_grads_ = storage;
  AlignedFloats().swap(grads_);
}

void ParamBuffer::use_own_grad_storage() {
  if (external_grads_ == nullptr) return;
  grads_.assign(external_grads_, external_grads_ + params_.size());
  external_grads_ = nullptr;
}

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
  return MatrixMap(grads() + offset, rows, cols);
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
  return VectorMap(grads() + offset, count);
}

}  // namespace imine

// All parameters of a model in one flat float vector and all gradients in another of the same
// length, so the optimizer, the gradient allreduce and the checkpoint each see one array.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

#include "imine/nn/eigen.h"

namespace imine {

// 64-byte aligned storage: every slice starts on a cache line, so vector kernels take the same
// path on every run (results must not depend on where malloc put the buffer) and run faster.
template <typename T>
struct CacheAlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlign = 64;
  CacheAlignedAllocator() = default;
  template <typename U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlign)));
  }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(kAlign)); }
  template <typename U>
  bool operator==(const CacheAlignedAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const CacheAlignedAllocator<U>&) const {
    return false;
  }
};
using AlignedFloats = std::vector<float, CacheAlignedAllocator<float>>;

class ParamBuffer {
 public:
  // Slices start at multiples of this many floats (64 bytes).
  static constexpr size_t kSliceAlign = 16;
  // Weights are [out, in] row-major so a slice has the same bytes as an HDF5 dataset of that
  // shape.
  using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using MatrixMap = Eigen::Map<RowMajorMatrix>;
  using ConstMatrixMap = Eigen::Map<const RowMajorMatrix>;
  using VectorMap = Eigen::Map<Eigen::VectorXf>;
  using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

  ParamBuffer() = default;
  ParamBuffer(const ParamBuffer&) = delete;
  ParamBuffer& operator=(const ParamBuffer&) = delete;

  // Appends `count` zero parameters (and gradients) and returns their offset, a multiple of
  // kSliceAlign; the padding before it stays zero (zero gradient, so optimizers leave it 0). Maps
  // are built on demand from offsets, so growing the buffer never leaves a layer with a stale
  // pointer.
  size_t reserve(size_t count);

  size_t size() const { return params_.size(); }
  float* params() { return params_.data(); }
  const float* params() const { return params_.data(); }
  float* grads() { return external_grads_ ? external_grads_ : grads_.data(); }
  const float* grads() const { return external_grads_ ? external_grads_ : grads_.data(); }
  AlignedFloats& param_vector() { return params_; }
  const AlignedFloats& param_vector() const { return params_; }
  // The gradients as a vector: only while they are in the buffer's own storage.
  AlignedFloats& grad_vector();
  const AlignedFloats& grad_vector() const;

  // Moves the gradients into storage (size() floats, 64-byte aligned, owned by the caller, e.g.
  // a shared-memory window the gradient reduction works in) and releases the own vector; the
  // buffer cannot grow while they are there. use_own_grad_storage() moves them back.
  void use_grad_storage(float* storage);
  void use_own_grad_storage();

  void zero_grads();

  MatrixMap param_matrix(size_t offset, int rows, int cols);
  ConstMatrixMap param_matrix(size_t offset, int rows, int cols) const;
  MatrixMap grad_matrix(size_t offset, int rows, int cols);
  VectorMap param_vec(size_t offset, int count);
  ConstVectorMap param_vec(size_t offset, int count) const;
  VectorMap grad_vec(size_t offset, int count);

 private:
  void check_slice(size_t offset, size_t count) const;

  AlignedFloats params_;
  AlignedFloats grads_;
  float* external_grads_ = nullptr;
};

}  // namespace imine

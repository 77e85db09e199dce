// Matrix products for the MLP's big layers through oneDNN's matmul primitive, with the bias,
// ReLU and gradient accumulation fused into the product (one pass over the output instead of
// three), and bf16 inputs with fp32 accumulation on CPUs that have AVX512_BF16. Eigen stays the
// matrix type everywhere else; this is only the backend for the products (docs/performance.md
// has the measurements that chose it over Eigen's own GEMM and OpenBLAS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imine/nn/param_buffer.h"

namespace imine {

// Inputs of the matrix products. Master weights, optimizer state, the loss and the gradient
// reduction stay fp32 either way.
enum class Precision { kFp32, kBf16 };
// kEigen: the Layer chain with Eigen's products (the reference path); kOneDnn: the fused stack.
enum class GemmBackend { kEigen, kOneDnn };

// How a Model computes its dense stack. The default is the fast path in fp32.
struct ComputeOptions {
  GemmBackend backend = GemmBackend::kOneDnn;
  Precision precision = Precision::kFp32;  // bf16 needs backend kOneDnn
};

const char* precision_name(Precision p);
const char* backend_name(GemmBackend b);
// Throw Error naming the valid choices.
Precision precision_from_name(const std::string& name);
GemmBackend backend_from_name(const std::string& name);

// bf16 values as their raw bits, 64-byte aligned like every other buffer the products touch.
using Bf16Buffer = std::vector<uint16_t, CacheAlignedAllocator<uint16_t>>;

// Round-to-nearest-even, as the hardware conversion does for finite values (NaN stays NaN).
void to_bf16(const float* in, uint16_t* out, size_t n);

// Threads the GEMM backend may use in this process (its OpenMP pool); n >= 1, default 1.
// Call it from the thread that runs the model.
void set_gemm_threads(int n);
int gemm_threads();

enum class DataType { kF32, kBf16 };

// A strided 2-D view: element (r, c) at data + r * row_stride + c * col_stride (in elements).
struct MatView {
  const void* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t row_stride = 0;
  int64_t col_stride = 0;
  DataType type = DataType::kF32;
};

struct MatmulEpilogue {
  const float* bias = nullptr;  // [cols of c], added to every row
  bool relu = false;            // after the bias
  bool accumulate = false;      // c += a b instead of c = a b
};

// c = a * b (+ bias, ReLU, + old c). a is [M, K], b [K, N], c [M, N] (c's data is written).
// Products with bias or ReLU, or bf16 inputs, run oneDNN's matmul primitive, built once per
// shape and layout and kept, so a repeated call costs only the product; plain fp32 products
// (the backward pass's) run oneDNN's sgemm, faster there (src/nn/gemm.cc says why). The result is a
// deterministic function of the inputs, the shapes and gemm_threads(). Throws Error if the CPU
// cannot run the requested types (e.g. bf16 without AVX-512).
void matmul(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e);

// Name of the kernel oneDNN picked for a product of this form ("brg:avx512_core", ...), for the
// benchmark report and for tests that must not silently hit a reference implementation.
std::string matmul_impl_name(const MatView& a, const MatView& b, const MatView& c,
                             const MatmulEpilogue& e);

}  // namespace imine

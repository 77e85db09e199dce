#include "imine/nn/gemm.h"

#include <omp.h>

#include <array>
#include <cstring>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "imine/util/error.h"

namespace imine {

const char* precision_name(Precision p) { return p == Precision::kBf16 ? "bf16" : "fp32"; }
const char* backend_name(GemmBackend b) { return b == GemmBackend::kEigen ? "eigen" : "onednn"; }

Precision precision_from_name(const std::string& name) {
  if (name == "fp32") return Precision::kFp32;
  if (name == "bf16") return Precision::kBf16;
  IMINE_FAIL() << "unknown precision '" << name << "' (expected fp32 or bf16)";
}

GemmBackend backend_from_name(const std::string& name) {
  if (name == "eigen") return GemmBackend::kEigen;
  if (name == "onednn") return GemmBackend::kOneDnn;
  IMINE_FAIL() << "unknown GEMM backend '" << name << "' (expected eigen or onednn)";
}

void to_bf16(const float* in, uint16_t* out, size_t n) {
  // Plain integer code so the compiler vectorises it; identical to vcvtneps2bf16 for finite
  // values, and NaN is kept a (quiet) NaN instead of rounding into infinity.
  for (size_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, &in[i], sizeof(u));
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
    out[i] = static_cast<uint16_t>(nan ? ((u >> 16) | 0x40u) : rounded);
  }
}

namespace {

int g_threads = 1;

dnnl::engine& engine() {
  // OpenMP's default is one thread per core, which oversubscribes the cores as soon as several
  // ranks share a node; start from one thread unless set_gemm_threads() asked for more.
  static dnnl::engine e = [] {
    omp_set_num_threads(g_threads);
    return dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

dnnl::memory::data_type dt(DataType t) {
  return t == DataType::kBf16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

dnnl::memory::desc md(const MatView& v) {
  return dnnl::memory::desc({v.rows, v.cols}, dt(v.type), {v.row_stride, v.col_stride});
}

using Key = std::array<int64_t, 20>;

Key make_key(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e) {
  return {a.rows,          a.cols,          a.row_stride,    a.col_stride,
          int64_t(a.type), b.rows,          b.cols,          b.row_stride,
          b.col_stride,    int64_t(b.type), c.rows,          c.cols,
          c.row_stride,    c.col_stride,    int64_t(c.type), e.bias != nullptr,
          e.relu,          e.accumulate,    g_threads,       0};
}

struct Entry {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
  dnnl::memory src, wei, dst, bias;
  std::unordered_map<int, dnnl::memory> args;
};

void check_shapes(const MatView& a, const MatView& b, const MatView& c) {
  IMINE_CHECK(a.cols == b.rows && a.rows == c.rows && b.cols == c.cols)
      << "matmul: shapes " << a.rows << "x" << a.cols << " * " << b.rows << "x" << b.cols << " -> "
      << c.rows << "x" << c.cols << " do not match";
  IMINE_CHECK(a.rows > 0 && a.cols > 0 && b.cols > 0) << "matmul: empty product";
}

Entry build(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e) {
  check_shapes(a, b, c);
  dnnl::post_ops po;
  if (e.accumulate) po.append_sum(1.0f);
  if (e.relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(po);
  const dnnl::memory::desc bias_md =
      e.bias ? dnnl::memory::desc({1, c.cols}, dnnl::memory::data_type::f32, {c.cols, 1})
             : dnnl::memory::desc();
  try {
    dnnl::matmul::desc d(md(a), md(b), bias_md, md(c));
    dnnl::matmul::primitive_desc pd(d, attr, engine());
    Entry entry{pd, dnnl::matmul(pd), {}, {}, {}, {}, {}};
    entry.src = dnnl::memory(md(a), engine(), DNNL_MEMORY_NONE);
    entry.wei = dnnl::memory(md(b), engine(), DNNL_MEMORY_NONE);
    entry.dst = dnnl::memory(md(c), engine(), DNNL_MEMORY_NONE);
    entry.args = {
        {DNNL_ARG_SRC, entry.src}, {DNNL_ARG_WEIGHTS, entry.wei}, {DNNL_ARG_DST, entry.dst}};
    if (e.bias) {
      entry.bias = dnnl::memory(bias_md, engine(), DNNL_MEMORY_NONE);
      entry.args[DNNL_ARG_BIAS] = entry.bias;
    }
    return entry;
  } catch (const dnnl::error& err) {
    IMINE_FAIL() << "matmul " << a.rows << "x" << a.cols << " * " << b.rows << "x" << b.cols
                 << (a.type == DataType::kBf16 ? " in bf16" : " in fp32")
                 << ": oneDNN cannot run it on this CPU (" << err.what() << ")";
  }
}

Entry& lookup(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e) {
  // One cache per thread: oneDNN primitives may be shared, but their memory handles may not.
  thread_local std::map<Key, Entry> cache;
  const Key key = make_key(a, b, c, e);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  // Training batches vary in size from step to step; bound the cache instead of growing it.
  if (cache.size() >= 512) cache.clear();
  return cache.emplace(key, build(a, b, c, e)).first->second;
}

// Plain fp32 products without bias or ReLU (the backward pass's dW and dX) go to oneDNN's sgemm
// (x64:gemm:jit) instead of the matmul primitive (brgemm): with a transposed operand or the
// accumulating sum post-op the matmul primitive reached 93-104 GFLOP/s on the MLP's backward
// shapes where sgemm reached 104-111, measured interleaved in one process
// (docs/performance.md); the forward products keep the matmul primitive, whose fused bias and
// ReLU beat sgemm plus a separate pass. sgemm needs each operand with one unit stride (the
// other being its leading dimension) and a row-major c.
struct SgemmArgs {
  char trans_a = 'N', trans_b = 'N';
  int64_t lda = 0, ldb = 0, ldc = 0;
};

bool operand_layout(const MatView& v, char* trans, int64_t* ld) {
  if (v.col_stride == 1 && v.row_stride >= v.cols) {
    *trans = 'N';
    *ld = v.row_stride;
    return true;
  }
  if (v.row_stride == 1 && v.col_stride >= v.rows) {
    *trans = 'T';
    *ld = v.col_stride;
    return true;
  }
  return false;
}

bool sgemm_args(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e,
                SgemmArgs* args) {
  if (e.bias != nullptr || e.relu) return false;
  if (a.type != DataType::kF32 || b.type != DataType::kF32 || c.type != DataType::kF32) {
    return false;
  }
  if (c.col_stride != 1 || c.row_stride < c.cols) return false;
  args->ldc = c.row_stride;
  return operand_layout(a, &args->trans_a, &args->lda) &&
         operand_layout(b, &args->trans_b, &args->ldb);
}

}  // namespace

void set_gemm_threads(int n) {
  IMINE_CHECK(n >= 1) << "GEMM threads must be >= 1, got " << n;
  g_threads = n;
  omp_set_num_threads(n);
}

int gemm_threads() { return g_threads; }

void matmul(const MatView& a, const MatView& b, const MatView& c, const MatmulEpilogue& e) {
  SgemmArgs g;
  if (sgemm_args(a, b, c, e, &g)) {
    check_shapes(a, b, c);
    engine();  // applies the thread count to OpenMP before the first product
    const dnnl::status st = dnnl::sgemm(
        g.trans_a, g.trans_b, a.rows, b.cols, a.cols, 1.0f, static_cast<const float*>(a.data),
        g.lda, static_cast<const float*>(b.data), g.ldb, e.accumulate ? 1.0f : 0.0f,
        static_cast<float*>(const_cast<void*>(c.data)), g.ldc);
    IMINE_CHECK(st == dnnl::status::success)
        << "sgemm " << a.rows << "x" << a.cols << " * " << b.rows << "x" << b.cols
        << " failed (oneDNN status " << static_cast<int>(st) << ")";
    return;
  }
  Entry& entry = lookup(a, b, c, e);
  entry.src.set_data_handle(const_cast<void*>(a.data));
  entry.wei.set_data_handle(const_cast<void*>(b.data));
  entry.dst.set_data_handle(const_cast<void*>(c.data));
  if (e.bias) entry.bias.set_data_handle(const_cast<float*>(e.bias));
  entry.prim.execute(stream(), entry.args);
  stream().wait();
}

std::string matmul_impl_name(const MatView& a, const MatView& b, const MatView& c,
                             const MatmulEpilogue& e) {
  SgemmArgs g;
  if (sgemm_args(a, b, c, e, &g)) return "gemm:jit (dnnl_sgemm)";
  return lookup(a, b, c, e).pd.impl_info_str();
}

}  // namespace imine

// Model::backward_clipped against brute force: example j's own gradient is what backward()
// adds for a logit gradient that is zero outside column j (the backward pass treats columns
// independently), for every layer type: the fused Linear stack with and without dropout, the
// Layer chain, the sparse item table (duplicate indices included), the wide path and the wide
// item table.
#include "imine/nn/per_example.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "imine/nn/model.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

struct Case {
  const char* name;
  ModelSpec spec;
  GemmBackend backend;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  ModelSpec plain;
  plain.input_dim = 7;
  plain.hidden = {6, 5};
  plain.output_dim = 4;
  out.push_back({"fused", plain, GemmBackend::kOneDnn});
  out.push_back({"chain", plain, GemmBackend::kEigen});
  ModelSpec drop = plain;
  drop.dropout = 0.3f;
  out.push_back({"fused_dropout", drop, GemmBackend::kOneDnn});
  out.push_back({"chain_dropout", drop, GemmBackend::kEigen});
  ModelSpec wide = plain;
  wide.wide_inputs = {0, 3, 6};
  out.push_back({"fused_wide", wide, GemmBackend::kOneDnn});
  ModelSpec sparse = drop;
  sparse.sparse_dim = 9;
  sparse.wide_inputs = {1, 2};
  sparse.wide_sparse = true;
  out.push_back({"sparse_wide_items", sparse, GemmBackend::kEigen});
  ModelSpec shallow;  // no hidden layer: the sparse table feeds the logits' Linear
  shallow.input_dim = 5;
  shallow.output_dim = 3;
  shallow.sparse_dim = 4;
  out.push_back({"no_hidden_sparse", shallow, GemmBackend::kEigen});
  return out;
}

struct Data {
  Eigen::MatrixXf x, dlogits;
  SparseBatch items;
  std::vector<uint64_t> keys;
};

Data make_data(const ModelSpec& spec, int batch, uint64_t seed) {
  Rng rng(seed, kStreamBench, 1);
  Data d;
  d.x.resize(spec.input_dim, batch);
  for (Eigen::Index i = 0; i < d.x.size(); ++i) d.x.data()[i] = static_cast<float>(rng.normal());
  d.dlogits.resize(spec.output_dim, batch);
  for (Eigen::Index i = 0; i < d.dlogits.size(); ++i)
    d.dlogits.data()[i] = static_cast<float>(rng.normal());
  for (int j = 0; j < batch; ++j) {
    d.keys.push_back(100 + j);
    if (spec.sparse_dim == 0) continue;
    std::vector<uint32_t> idx;
    std::vector<float> val;
    const int nnz = static_cast<int>(rng.below(4));  // 0..3, repeats possible
    for (int p = 0; p < nnz; ++p) {
      idx.push_back(static_cast<uint32_t>(rng.below(spec.sparse_dim)));
      val.push_back(static_cast<float>(rng.normal()));
    }
    d.items.append(idx.data(), val.data(), idx.size());
  }
  return d;
}

std::vector<float> grads_of(const Model& m) {
  return std::vector<float>(m.params().grads(), m.params().grads() + m.num_params());
}

// Randomises every parameter, including the zero-initialised sparse and wide tables, so every
// layer contributes to the norms.
void randomise(Model* m) {
  Rng rng(7, kStreamBench, 2);
  for (const auto& [offset, size] : m->param_slices()) {
    for (size_t i = 0; i < size; ++i)
      m->params().params()[offset + i] = static_cast<float>(0.5 * rng.normal());
  }
}

TEST(PerExampleNorms, MatchBruteForceForEveryLayerType) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Model model(c.spec);
    ComputeOptions co;
    co.backend = c.backend;
    model.set_compute(co);
    randomise(&model);
    const int batch = 6;
    Data d = make_data(c.spec, batch, 11);
    ForwardContext ctx;
    ctx.training = true;
    ctx.seed = 3;
    ctx.step = 2;
    ctx.sample_keys = d.keys.data();
    const SparseBatch* sp = c.spec.sparse_dim > 0 ? &d.items : nullptr;
    model.forward(d.x, sp, ctx);
    // Brute force: every example's full gradient vector.
    std::vector<std::vector<float>> per(batch);
    std::vector<double> norm(batch);
    for (int j = 0; j < batch; ++j) {
      Eigen::MatrixXf one = Eigen::MatrixXf::Zero(d.dlogits.rows(), batch);
      one.col(j) = d.dlogits.col(j);
      model.params().zero_grads();
      model.backward(one);
      per[j] = grads_of(model);
      double s = 0;
      for (float g : per[j]) s += double(g) * g;
      norm[j] = std::sqrt(s);
    }
    // A clip bound between the smallest and the largest norm, so some examples are clipped.
    std::vector<double> sorted = norm;
    std::sort(sorted.begin(), sorted.end());
    const float clip = static_cast<float>(0.5 * (sorted[1] + sorted[batch - 2]));
    ASSERT_LT(sorted.front(), clip);
    ASSERT_GT(sorted.back(), clip);
    model.params().zero_grads();
    Eigen::VectorXf norms;
    model.backward_clipped(d.dlogits, clip, &norms);
    ASSERT_EQ(norms.size(), batch);
    std::vector<double> want(model.num_params(), 0.0);
    for (int j = 0; j < batch; ++j) {
      EXPECT_NEAR(norms(j), norm[j], 1e-4 * norm[j]) << "example " << j;
      const double f = std::min(1.0, clip / norm[j]);
      for (size_t i = 0; i < want.size(); ++i) want[i] += f * per[j][i];
    }
    const std::vector<float> got = grads_of(model);
    double scale = 0;
    for (double w : want) scale = std::max(scale, std::fabs(w));
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-5 * scale) << "parameter " << i;
  }
}

TEST(PerExampleNorms, SparseDuplicatesAreSummedBeforeTheNorm) {
  SparseBatch b;
  const uint32_t idx[] = {3, 1, 3};
  const float val[] = {1.0f, 2.0f, 2.0f};
  b.append(idx, val, 3);
  b.append(idx, val, 0);
  const Eigen::VectorXf n = sparse_column_sq_norms(b);
  ASSERT_EQ(n.size(), 2);
  EXPECT_FLOAT_EQ(n(0), 9.0f + 4.0f);  // (1 + 2)^2 + 2^2, not 1 + 4 + 4
  EXPECT_FLOAT_EQ(n(1), 0.0f);
}

TEST(PerExampleNorms, ClipFactors) {
  Eigen::VectorXf n2(4);
  n2 << 0.0f, 4.0f, 16.0f, NAN;
  const Eigen::VectorXf c = clip_factors(n2, 2.0f);
  EXPECT_EQ(c(0), 1.0f);
  EXPECT_EQ(c(1), 1.0f);
  EXPECT_FLOAT_EQ(c(2), 0.5f);
  EXPECT_EQ(c(3), 0.0f);
}

TEST(PerExampleNorms, RejectsNonPositiveClip) {
  ModelSpec spec;
  spec.input_dim = 3;
  spec.hidden = {4};
  spec.output_dim = 2;
  Model model(spec);
  model.init(1);
  Eigen::MatrixXf x = Eigen::MatrixXf::Ones(3, 2), g = Eigen::MatrixXf::Ones(2, 2);
  model.forward(x, ForwardContext{});
  EXPECT_THROW(model.backward_clipped(g, 0.0f, nullptr), Error);
}

}  // namespace
}  // namespace imine

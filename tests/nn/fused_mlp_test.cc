// The fused oneDNN path against the plain Layer chain (Eigen), bf16 against fp32, and the
// determinism the resume and np-equivalence tests rely on.
#include "imine/nn/fused_mlp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "imine/nn/gemm.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/optimizer.h"
#include "imine/util/error.h"
#include "nn/grad_check.h"

namespace imine {
namespace {

using testing_nn::expect_gradient_matches;
using testing_nn::random_matrix;

ModelSpec spec_with(int in, std::vector<int> hidden, int out, float dropout) {
  ModelSpec s;
  s.input_dim = in;
  s.hidden = std::move(hidden);
  s.output_dim = out;
  s.dropout = dropout;
  return s;
}

struct Pass {
  Eigen::MatrixXf logits;
  std::vector<float> grads;
};

// One forward/backward of BCE on a model with the given compute options and the same weights.
Pass run_pass(const ModelSpec& spec, const ComputeOptions& compute, const Eigen::MatrixXf& x,
              const Eigen::MatrixXf& y, const std::vector<uint64_t>& keys) {
  Model model(spec);
  model.set_compute(compute);
  model.init(7);
  for (const auto& l : model.linear_layers()) {
    model.params().param_vec(l.offset_bias, l.out) = random_matrix(l.out, 1, l.out + 3, 0.2f);
  }
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 9;
  ctx.step = 3;
  ctx.sample_keys = keys.data();
  Pass p;
  p.logits = model.forward(x, ctx);
  Eigen::MatrixXf d;
  Loss(LossKind::kBce).loss_sum(p.logits, y, &d);
  model.params().zero_grads();
  model.backward(d);
  p.grads.assign(model.params().grad_vector().begin(), model.params().grad_vector().end());
  return p;
}

// Relative to the largest magnitude, so it measures rounding, not scale.
double max_rel_diff(const float* a, const float* b, size_t n) {
  double diff = 0.0, scale = 1e-30;
  for (size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

class FusedMlpTest : public ::testing::TestWithParam<float> {};

TEST_P(FusedMlpTest, MatchesTheEigenLayerChain) {
  // Sizes that are not multiples of the vector width, and a batch larger than one block.
  const ModelSpec spec = spec_with(37, {70, 33}, 11, GetParam());
  const Eigen::MatrixXf x = random_matrix(37, 45, 1);
  const Eigen::MatrixXf y = random_matrix(11, 45, 2).array().abs().min(1.0f);
  std::vector<uint64_t> keys(45);
  for (size_t j = 0; j < keys.size(); ++j) keys[j] = 100 + 7 * j;
  const Pass plain = run_pass(spec, {GemmBackend::kEigen, Precision::kFp32}, x, y, keys);
  const Pass fused = run_pass(spec, {GemmBackend::kOneDnn, Precision::kFp32}, x, y, keys);
  EXPECT_LT(max_rel_diff(fused.logits.data(), plain.logits.data(), plain.logits.size()), 1e-5);
  EXPECT_LT(max_rel_diff(fused.grads.data(), plain.grads.data(), plain.grads.size()), 1e-5);
}

TEST_P(FusedMlpTest, Bf16StaysCloseToFp32) {
  const ModelSpec spec = spec_with(64, {96, 48}, 16, GetParam());
  const Eigen::MatrixXf x = random_matrix(64, 40, 3);
  const Eigen::MatrixXf y = random_matrix(16, 40, 4).array().abs().min(1.0f);
  std::vector<uint64_t> keys(40);
  for (size_t j = 0; j < keys.size(); ++j) keys[j] = j * j + 1;
  const Pass fp32 = run_pass(spec, {GemmBackend::kOneDnn, Precision::kFp32}, x, y, keys);
  const Pass bf16 = run_pass(spec, {GemmBackend::kOneDnn, Precision::kBf16}, x, y, keys);
  // bf16 keeps 8 significant bits (relative rounding 2^-9 per input); through three products
  // the error stays within a few percent of the largest entry, while a wrong gradient would be
  // off by order one.
  const double dl = max_rel_diff(bf16.logits.data(), fp32.logits.data(), fp32.logits.size());
  const double dg = max_rel_diff(bf16.grads.data(), fp32.grads.data(), fp32.grads.size());
  EXPECT_LT(dl, 0.03);
  EXPECT_LT(dg, 0.05);
  EXPECT_GT(dl, 0.0) << "bf16 gave exactly the fp32 logits: the bf16 path did not run";
}

INSTANTIATE_TEST_SUITE_P(Dropout, FusedMlpTest, ::testing::Values(0.0f, 0.3f));

// The finite-difference check of the whole model on every compute path (bf16 rounds the
// products, so only fp32 paths are held to finite differences).
TEST(FusedMlp, GradientMatchesFiniteDifferences) {
  Model model(spec_with(5, {6, 4}, 3, 0.3f));
  model.set_compute({GemmBackend::kOneDnn, Precision::kFp32});
  model.init(11);
  const Eigen::MatrixXf x = random_matrix(5, 8, 21);
  const Eigen::MatrixXf y = random_matrix(3, 8, 22).array().abs().min(1.0f);
  const std::vector<uint64_t> keys = {3, 1, 4, 1592, 65, 35, 89, 79};
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 5;
  ctx.step = 2;
  ctx.sample_keys = keys.data();
  const Loss loss(LossKind::kBce);
  Eigen::MatrixXf d;
  model.params().zero_grads();
  loss.loss_sum(model.forward(x, ctx), y, &d);
  model.backward(d);
  const std::vector<float> grads(model.params().grad_vector().begin(),
                                 model.params().grad_vector().end());
  auto f = [&] { return loss.loss_sum(model.forward(x, ctx), y, nullptr); };
  expect_gradient_matches(model.params().params(), grads.data(), model.num_params(), f, 1e-3f,
                          "fused model params");
}

// Trains a few Adam steps and returns the parameters and the loss of each step.
std::pair<std::vector<float>, std::vector<double>> train(Precision precision, int steps) {
  Model model(spec_with(32, {64, 32}, 8, 0.0f));
  model.set_compute({GemmBackend::kOneDnn, precision});
  model.init(3);
  const Eigen::MatrixXf x = random_matrix(32, 64, 5);
  const Eigen::MatrixXf y = (random_matrix(8, 64, 6).array() > 0.8f).cast<float>();
  auto opt = make_optimizer(OptimizerConfig{}, model.num_params());
  const Loss loss(LossKind::kBce);
  Eigen::MatrixXf d;
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    model.params().zero_grads();
    losses.push_back(loss.loss_sum(model.forward(x, ForwardContext{}), y, &d) / 64);
    model.backward(d);
    for (float& g : model.params().grad_vector()) g /= 64;
    opt->step(model.params().params(), model.params().grads(), model.num_params(), 1e-2f);
  }
  return {std::vector<float>(model.params().param_vector().begin(),
                             model.params().param_vector().end()),
          losses};
}

TEST(FusedMlp, Bf16TrainingLowersTheLoss) {
  const auto [params, losses] = train(Precision::kBf16, 30);
  EXPECT_LT(losses.back(), 0.7 * losses.front());
  const auto [params32, losses32] = train(Precision::kFp32, 30);
  EXPECT_NEAR(losses.back(), losses32.back(), 0.1 * losses32.back());
}

TEST(FusedMlp, RunsAreBitwiseIdentical) {
  for (Precision p : {Precision::kFp32, Precision::kBf16}) {
    EXPECT_EQ(train(p, 5), train(p, 5)) << precision_name(p);
  }
}

TEST(FusedMlp, ColumnsDoNotDependOnBatchComposition) {
  Model model(spec_with(40, {64, 32}, 6, 0.0f));
  model.init(2);
  const Eigen::MatrixXf x = random_matrix(40, 33, 8);
  const Eigen::MatrixXf full = model.forward(x, ForwardContext{});
  for (int j : {0, 5, 32}) {
    const Eigen::MatrixXf xj = x.middleCols(j, 1);
    const Eigen::MatrixXf& yj = model.forward(xj, ForwardContext{});
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(yj(i, 0), full(i, j), 1e-5f) << "sample " << j;
  }
}

TEST(FusedMlp, OptionsAndErrors) {
  EXPECT_EQ(precision_from_name("bf16"), Precision::kBf16);
  EXPECT_EQ(backend_from_name("eigen"), GemmBackend::kEigen);
  EXPECT_THROW(precision_from_name("fp16"), Error);
  EXPECT_THROW(backend_from_name("mkl"), Error);
  Model model(spec_with(4, {3}, 2, 0.0f));
  EXPECT_EQ(model.compute().backend, GemmBackend::kOneDnn);
  EXPECT_THROW(model.set_compute({GemmBackend::kEigen, Precision::kBf16}), Error);
  EXPECT_THROW(set_gemm_threads(0), Error);
  std::vector<uint16_t> b(3);
  const float f[3] = {1.0f, 1.00390625f, -2.0f};  // 1 + 2^-8 is a tie: rounds to even (1.0)
  to_bf16(f, b.data(), 3);
  EXPECT_EQ(b[0], 0x3f80);
  EXPECT_EQ(b[1], 0x3f80);
  EXPECT_EQ(b[2], 0xc000);
}

// The layouts the fused path uses (plain, transposed weights, transposed source with
// accumulation) must hit an optimised kernel: a silent fall-back to oneDNN's reference code is
// correct but a hundred times slower.
TEST(FusedMlp, ProductsUseOptimisedKernels) {
  std::vector<float> a(64 * 48), b(48 * 32), c(64 * 32), bias(32);
  const MatView plain_a{a.data(), 64, 48, 48, 1, DataType::kF32};
  const MatView trans_a{a.data(), 64, 48, 1, 64, DataType::kF32};
  const MatView trans_b{b.data(), 48, 32, 1, 48, DataType::kF32};
  const MatView plain_b{b.data(), 48, 32, 32, 1, DataType::kF32};
  const MatView out{c.data(), 64, 32, 32, 1, DataType::kF32};
  MatmulEpilogue fwd;
  fwd.bias = bias.data();
  fwd.relu = true;
  MatmulEpilogue acc;
  acc.accumulate = true;
  for (const std::string& name :
       {matmul_impl_name(plain_a, trans_b, out, fwd), matmul_impl_name(trans_a, plain_b, out, acc),
        matmul_impl_name(plain_a, plain_b, out, MatmulEpilogue{})}) {
    EXPECT_EQ(name.find("ref"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace imine

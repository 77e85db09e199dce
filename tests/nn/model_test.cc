#include "imine/nn/model.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "imine/nn/loss.h"
#include "imine/util/error.h"
#include "nn/grad_check.h"

namespace imine {
namespace {

using testing_nn::expect_gradient_matches;
using testing_nn::random_matrix;

ModelSpec small_spec(float dropout) { return ModelSpec{5, {6, 4}, 3, dropout}; }

TEST(Model, LinearLayoutCoversTheBufferInOrder) {
  Model model(small_spec(0.2f));
  const auto& lin = model.linear_layers();
  ASSERT_EQ(lin.size(), 3u);
  const int dims[][2] = {{6, 5}, {4, 6}, {3, 4}};
  auto aligned = [](size_t x) { return (x + 15) / 16 * 16; };  // 64-byte slices
  size_t expected_offset = 0;
  for (size_t k = 0; k < lin.size(); ++k) {
    EXPECT_EQ(lin[k].out, dims[k][0]);
    EXPECT_EQ(lin[k].in, dims[k][1]);
    EXPECT_EQ(lin[k].offset_weight, expected_offset);
    EXPECT_EQ(lin[k].offset_bias, aligned(expected_offset + lin[k].out * lin[k].in));
    expected_offset = aligned(lin[k].offset_bias + lin[k].out);
  }
  EXPECT_EQ(aligned(model.num_params()), expected_offset);
  EXPECT_EQ(model.num_weights(), 5u * 6 + 6 + 6 * 4 + 4 + 4 * 3 + 3);
  EXPECT_EQ(model.spec(), small_spec(0.2f));
  EXPECT_EQ(model.spec().describe(), "in=5 hidden=[6,4] out=3 dropout=0.2");
}

TEST(Model, InvalidSpecsThrow) {
  EXPECT_THROW(Model(ModelSpec{0, {4}, 2, 0.0f}), Error);
  EXPECT_THROW(Model(ModelSpec{3, {4, 0}, 2, 0.0f}), Error);
  EXPECT_THROW(Model(ModelSpec{3, {4}, 2, 1.0f}), Error);
  EXPECT_NO_THROW(Model(ModelSpec{3, {}, 2, 0.0f}));
}

TEST(Model, InitIsDeterministicPerSeed) {
  Model a(small_spec(0.0f)), b(small_spec(0.0f)), c(small_spec(0.0f));
  a.init(1);
  b.init(1);
  c.init(2);
  EXPECT_EQ(a.params().param_vector(), b.params().param_vector());
  EXPECT_NE(a.params().param_vector(), c.params().param_vector());
  // Layer k's weights depend only on (seed, k): a deeper model starts with the same first layer.
  Model deeper(ModelSpec{5, {6, 4, 4}, 3, 0.0f});
  deeper.init(1);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(deeper.params().params()[i], a.params().params()[i]);
}

TEST(Model, WholeModelGradientMatchesFiniteDifferences) {
  Model model(small_spec(0.3f));
  model.init(11);
  // Non-zero biases so that their gradients are exercised on a generic point.
  for (const auto& l : model.linear_layers()) {
    model.params().param_vec(l.offset_bias, l.out) = random_matrix(l.out, 1, l.out, 0.3f);
  }
  const Eigen::MatrixXf x = random_matrix(5, 8, 21);
  Eigen::MatrixXf targets = random_matrix(3, 8, 22).array().abs().min(1.0f);
  const std::vector<uint64_t> keys = {3, 1, 4, 1592, 65, 35, 89, 79};
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 5;
  ctx.step = 2;
  ctx.sample_keys = keys.data();
  const Loss loss(LossKind::kBce);

  Eigen::MatrixXf dlogits;
  model.params().zero_grads();
  loss.loss_sum(model.forward(x, ctx), targets, &dlogits);
  model.backward(dlogits);
  const std::vector<float> grads(model.params().grad_vector().begin(),
                                 model.params().grad_vector().end());
  auto f = [&] { return loss.loss_sum(model.forward(x, ctx), targets, nullptr); };
  expect_gradient_matches(model.params().params(), grads.data(), model.num_params(), f, 1e-3f,
                          "model params");
}

TEST(Model, ColumnsDoNotDependOnBatchComposition) {
  Model model(small_spec(0.5f));
  model.init(3);
  const Eigen::MatrixXf x = random_matrix(5, 8, 31);
  const std::vector<uint64_t> keys = {10, 20, 30, 40, 50, 60, 70, 80};
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 8;
  ctx.step = 4;
  ctx.sample_keys = keys.data();
  const Eigen::MatrixXf full = model.forward(x, ctx);
  for (int j = 0; j < 8; ++j) {
    const Eigen::MatrixXf xj = x.col(j);
    ctx.sample_keys = &keys[j];
    const Eigen::MatrixXf& yj = model.forward(xj, ctx);
    // Matrix-vector and matrix-matrix products may round differently, so not bitwise.
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(yj(i, 0), full(i, j), 1e-5f) << "sample " << j;
  }
}

TEST(Model, EvaluationIsDeterministicAndSkipsDropout) {
  Model with(small_spec(0.5f)), without(small_spec(0.0f));
  with.init(4);
  without.init(4);
  const Eigen::MatrixXf x = random_matrix(5, 6, 41);
  const Eigen::MatrixXf y1 = with.forward(x, ForwardContext{});
  EXPECT_EQ(with.forward(x, ForwardContext{}), y1);
  EXPECT_EQ(without.forward(x, ForwardContext{}), y1);
}

TEST(Model, EmptyBatchGivesEmptyLogitsAndZeroGrads) {
  Model model(small_spec(0.3f));
  model.init(6);
  const Eigen::MatrixXf x(5, 0);
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 1;
  ctx.sample_keys = nullptr;
  const Eigen::MatrixXf& logits = model.forward(x, ctx);
  EXPECT_EQ(logits.rows(), 3);
  EXPECT_EQ(logits.cols(), 0);
  Eigen::MatrixXf dlogits;
  const double l = Loss(LossKind::kSoftmaxCe).loss_sum(logits, Eigen::MatrixXf(3, 0), &dlogits);
  EXPECT_EQ(l, 0.0);
  model.params().zero_grads();
  model.backward(dlogits);
  for (float g : model.params().grad_vector()) ASSERT_EQ(g, 0.0f);
}

TEST(Model, SurvivesMoveAndChecksShapes) {
  Model original(small_spec(0.0f));
  original.init(2);
  const Eigen::MatrixXf x = random_matrix(5, 3, 51);
  const Eigen::MatrixXf before = original.forward(x, {});
  Model moved(std::move(original));
  EXPECT_EQ(moved.forward(x, {}), before);
  EXPECT_THROW(moved.forward(Eigen::MatrixXf(4, 3), {}), Error);
  moved.forward(x, {});
  EXPECT_THROW(moved.backward(Eigen::MatrixXf::Zero(3, 2)), Error);
}

}  // namespace
}  // namespace imine

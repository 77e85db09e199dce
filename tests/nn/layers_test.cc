#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/nn/dropout.h"
#include "imine/nn/linear.h"
#include "imine/nn/relu.h"
#include "imine/util/error.h"
#include "nn/grad_check.h"

namespace imine {
namespace {

using testing_nn::expect_gradient_matches;
using testing_nn::random_matrix;
using testing_nn::weighted_sum;

TEST(Linear, ForwardIsRowMajorWeightTimesInputPlusBias) {
  ParamBuffer buf;
  Linear lin(&buf, 3, 2, 0);
  EXPECT_EQ(lin.offset_weight(), 0u);
  EXPECT_EQ(lin.offset_bias(), 16u);  // slices start on 64-byte boundaries
  for (int i = 0; i < 6; ++i) buf.params()[i] = static_cast<float>(i + 1);  // W=[1 2 3;4 5 6]
  buf.params()[16] = 7;                                                     // b = [7 8]
  buf.params()[17] = 8;
  Eigen::MatrixXf x(3, 2);
  x << 1, 0, 0, 1, 2, -1;
  const Eigen::MatrixXf& y = lin.forward(x, {});
  ASSERT_EQ(y.rows(), 2);
  ASSERT_EQ(y.cols(), 2);
  EXPECT_FLOAT_EQ(y(0, 0), 1 * 1 + 3 * 2 + 7);
  EXPECT_FLOAT_EQ(y(1, 0), 4 * 1 + 6 * 2 + 8);
  EXPECT_FLOAT_EQ(y(0, 1), 2 * 1 - 3 + 7);
  EXPECT_FLOAT_EQ(y(1, 1), 5 * 1 - 6 + 8);
}

TEST(Linear, HeInitIsKeyedAndScaled) {
  ParamBuffer a, b;
  Linear la(&a, 200, 100, 3), lb(&b, 200, 100, 3);
  Linear other(&b, 200, 100, 4);
  la.init(9);
  lb.init(9);
  other.init(9);
  double sq = 0;
  for (int i = 0; i < 200 * 100; ++i) {
    ASSERT_EQ(a.params()[i], b.params()[i]);
    sq += a.params()[i] * a.params()[i];
  }
  EXPECT_NEAR(std::sqrt(sq / (200 * 100)), std::sqrt(2.0 / 200), 0.003);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.params()[20000 + i], 0.0f);
  EXPECT_NE(b.params()[other.offset_weight()], b.params()[0]);
}

TEST(Linear, GradientsMatchFiniteDifferencesAndAccumulate) {
  ParamBuffer buf;
  Linear lin(&buf, 4, 3, 0);
  lin.init(7);
  buf.param_vec(lin.offset_bias(), 3) = random_matrix(3, 1, 1);
  Eigen::MatrixXf x = random_matrix(4, 5, 2);
  const Eigen::MatrixXf r = random_matrix(3, 5, 3);
  buf.zero_grads();
  lin.forward(x, {});
  const Eigen::MatrixXf dx = lin.backward(r, true);
  const std::vector<float> grads(buf.grad_vector().begin(), buf.grad_vector().end());
  auto f = [&] { return weighted_sum(lin.forward(x, {}), r); };
  expect_gradient_matches(buf.params(), grads.data(), buf.size(), f, 1e-2f, "linear params");
  expect_gradient_matches(x.data(), dx.data(), x.size(), f, 1e-2f, "linear input");

  // A second backward adds the same sums again rather than overwriting.
  lin.forward(x, {});
  lin.backward(r, false);
  for (size_t i = 0; i < buf.size(); ++i) EXPECT_FLOAT_EQ(buf.grads()[i], 2 * grads[i]);
}

TEST(Relu, GradientMatchesFiniteDifferencesAwayFromKinks) {
  Relu relu;
  Eigen::MatrixXf x = random_matrix(4, 6, 4);
  // Keep every input at least 0.1 from the kink so a 1e-3 step never crosses it.
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    float& v = x.data()[i];
    v = v >= 0 ? v + 0.1f : v - 0.1f;
  }
  const Eigen::MatrixXf r = random_matrix(4, 6, 5);
  relu.forward(x, {});
  const Eigen::MatrixXf dx = relu.backward(r, true);
  int zeros = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) zeros += x.data()[i] < 0;
  ASSERT_GT(zeros, 0);
  ASSERT_LT(zeros, x.size());
  auto f = [&] { return weighted_sum(relu.forward(x, {}), r); };
  expect_gradient_matches(x.data(), dx.data(), x.size(), f, 1e-3f, "relu input");
}

ForwardContext training_ctx(const std::vector<uint64_t>& keys, uint64_t step = 5) {
  ForwardContext ctx;
  ctx.training = true;
  ctx.seed = 77;
  ctx.step = step;
  ctx.sample_keys = keys.data();
  return ctx;
}

TEST(Dropout, GradientMatchesFiniteDifferencesWithFixedMask) {
  Dropout drop(0.4f, 1);
  Eigen::MatrixXf x = random_matrix(5, 4, 6);
  const Eigen::MatrixXf r = random_matrix(5, 4, 7);
  const std::vector<uint64_t> keys = {11, 12, 13, 14};
  const ForwardContext ctx = training_ctx(keys);
  drop.forward(x, ctx);
  const Eigen::MatrixXf dx = drop.backward(r, true);
  auto f = [&] { return weighted_sum(drop.forward(x, ctx), r); };
  expect_gradient_matches(x.data(), dx.data(), x.size(), f, 1e-2f, "dropout input");
}

TEST(Dropout, MaskIsPerSampleWhateverTheBatch) {
  Dropout drop(0.5f, 2);
  const std::vector<uint64_t> keys = {101, 202, 303, 404, 505, 606, 707, 808};
  const Eigen::MatrixXf x = Eigen::MatrixXf::Ones(32, 8);
  drop.forward(x, training_ctx(keys));
  const Eigen::MatrixXf batch_mask = drop.mask();
  ASSERT_EQ(batch_mask.cols(), 8);
  for (int j = 0; j < 8; ++j) {
    const std::vector<uint64_t> one = {keys[j]};
    const Eigen::MatrixXf xj = Eigen::MatrixXf::Ones(32, 1);
    const Eigen::MatrixXf& y = drop.forward(xj, training_ctx(one));
    for (int i = 0; i < 32; ++i) ASSERT_EQ(y(i, 0), batch_mask(i, j)) << "sample " << j;
  }
  // Different samples, steps and layers draw different masks.
  EXPECT_NE(batch_mask.col(0), batch_mask.col(1));
  drop.forward(x, training_ctx(keys, 6));
  EXPECT_NE(drop.mask(), batch_mask);
  Dropout other_layer(0.5f, 3);
  other_layer.forward(x, training_ctx(keys));
  EXPECT_NE(other_layer.mask(), batch_mask);
}

TEST(Dropout, DropsAtRateAndKeepsExpectation) {
  Dropout drop(0.3f, 0);
  std::vector<uint64_t> keys(200);
  for (size_t j = 0; j < keys.size(); ++j) keys[j] = 1000 + j;
  const Eigen::MatrixXf x = Eigen::MatrixXf::Ones(100, 200);
  const Eigen::MatrixXf& y = drop.forward(x, training_ctx(keys));
  int dropped = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const float v = y.data()[i];
    ASSERT_TRUE(v == 0.0f || std::abs(v - 1.0f / 0.7f) < 1e-6f) << v;
    dropped += v == 0.0f;
  }
  EXPECT_NEAR(dropped / 20000.0, 0.3, 0.015);
  EXPECT_NEAR(y.mean(), 1.0, 0.03);
}

TEST(Dropout, InferenceIsIdentityAndTrainingNeedsKeys) {
  Dropout drop(0.5f, 0);
  const Eigen::MatrixXf x = random_matrix(3, 4, 8);
  ForwardContext eval;
  const Eigen::MatrixXf& y = drop.forward(x, eval);
  EXPECT_EQ(y, x);
  const Eigen::MatrixXf r = random_matrix(3, 4, 9);
  EXPECT_EQ(drop.backward(r, true), r);
  ForwardContext no_keys;
  no_keys.training = true;
  EXPECT_THROW(drop.forward(x, no_keys), Error);
  EXPECT_THROW(Dropout(1.0f, 0), Error);
}

}  // namespace
}  // namespace imine

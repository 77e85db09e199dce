#include "imine/nn/loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "imine/util/error.h"
#include "nn/grad_check.h"

namespace imine {
namespace {

using testing_nn::expect_gradient_matches;
using testing_nn::random_matrix;

void check_loss_gradient(const Loss& loss, Eigen::MatrixXf logits, const Eigen::MatrixXf& targets) {
  Eigen::MatrixXf d;
  loss.loss_sum(logits, targets, &d);
  ASSERT_EQ(d.rows(), logits.rows());
  ASSERT_EQ(d.cols(), logits.cols());
  auto f = [&] { return loss.loss_sum(logits, targets, nullptr); };
  expect_gradient_matches(logits.data(), d.data(), logits.size(), f, 1e-3f, loss.name());
}

TEST(Loss, GradientsMatchFiniteDifferences) {
  const Eigen::MatrixXf logits = random_matrix(4, 6, 61, 1.5f);
  const Eigen::MatrixXf probs = random_matrix(4, 6, 62).array().abs().min(1.0f);
  check_loss_gradient(Loss::from_name("bce"), logits, probs);
  check_loss_gradient(Loss::from_name("mse"), logits, random_matrix(4, 6, 63));
  Eigen::MatrixXf multi_hot = (probs.array() > 0.5f).cast<float>();
  multi_hot.col(2).setZero();  // a sample without targets
  multi_hot(1, 3) = 1.0f;
  check_loss_gradient(Loss::from_name("softmax_ce"), logits, multi_hot);
  check_loss_gradient(Loss::from_name("softmax_ce"), logits, probs);
}

TEST(Loss, BceKnownValuesAndStability) {
  Eigen::MatrixXf z(4, 1), y(4, 1), d;
  z << 0.0f, 100.0f, -100.0f, 2.0f;
  y << 1.0f, 1.0f, 1.0f, 0.25f;
  const double l = bce_loss_sum(z, y, &d);
  const double expected =
      std::log(2.0) + std::log1p(std::exp(-100.0)) + (100.0 + std::log1p(std::exp(-100.0))) +
      (0.25 * std::log1p(std::exp(-2.0)) + 0.75 * (2.0 + std::log1p(std::exp(-2.0))));
  EXPECT_NEAR(l, expected, 1e-9);
  EXPECT_FLOAT_EQ(d(0), -0.5f);
  EXPECT_NEAR(d(1), 0.0f, 1e-7f);
  EXPECT_FLOAT_EQ(d(2), -1.0f);
  EXPECT_FLOAT_EQ(d(3), static_cast<float>(1.0 / (1.0 + std::exp(-2.0)) - 0.25));
}

TEST(Loss, SoftmaxNormalisesTargetsAndSkipsEmptyColumns) {
  Eigen::MatrixXf z(3, 3), t(3, 3), d;
  z << 0, 1, 5, 0, 2, 5, 0, 3, 5;
  t << 1, 2, 0, 0, 2, 0, 0, 0, 0;
  const double l = softmax_ce_loss_sum(z, t, &d);
  // Column 0: uniform logits, one-hot target -> log 3. Column 1: targets {.5,.5,0}.
  const double lse1 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  EXPECT_NEAR(l, std::log(3.0) + (lse1 - 1.5), 1e-6);
  EXPECT_NEAR(d(0, 0), 1.0 / 3 - 1, 1e-6);
  EXPECT_NEAR(d.col(0).sum(), 0.0, 1e-6);
  EXPECT_NEAR(d(2, 1), std::exp(3.0 - lse1), 1e-6);
  EXPECT_EQ(d.col(2), Eigen::Vector3f::Zero());
  // Large logits do not overflow.
  z.col(0) << 1000, 0, -1000;
  EXPECT_NEAR(softmax_ce_loss_sum(z.leftCols(1), t.leftCols(1), nullptr), 0.0, 1e-6);
  t(1, 0) = -1;
  EXPECT_THROW(softmax_ce_loss_sum(z, t, nullptr), Error);
}

TEST(Loss, MseKnownValue) {
  Eigen::MatrixXf z(2, 2), y(2, 2), d;
  z << 1, 2, 3, 4;
  y << 0, 2, 5, 3.5;
  EXPECT_NEAR(mse_loss_sum(z, y, &d), 1 + 0 + 4 + 0.25, 1e-9);
  EXPECT_FLOAT_EQ(d(1, 0), -4.0f);
  EXPECT_FLOAT_EQ(d(1, 1), 1.0f);
}

TEST(Loss, NamesScoresAndShapeChecks) {
  EXPECT_EQ(Loss::from_name("bce").kind(), LossKind::kBce);
  EXPECT_EQ(Loss::from_name("softmax_ce").kind(), LossKind::kSoftmaxCe);
  EXPECT_STREQ(Loss::from_name("mse").name(), "mse");
  EXPECT_THROW(Loss::from_name("hinge"), Error);
  EXPECT_THROW(Loss(LossKind::kBce).loss_sum(Eigen::MatrixXf(2, 3), Eigen::MatrixXf(3, 2), nullptr),
               Error);

  const Eigen::MatrixXf z = random_matrix(4, 3, 71, 3.0f);
  Eigen::MatrixXf s;
  Loss(LossKind::kSoftmaxCe).scores(z, &s);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(s.col(j).sum(), 1.0f, 1e-6f);
  Loss(LossKind::kBce).scores(z, &s);
  EXPECT_NEAR(s(0, 0), 1.0 / (1.0 + std::exp(-z(0, 0))), 1e-6);
  Loss(LossKind::kMse).scores(z, &s);
  EXPECT_EQ(s, z);
}

}  // namespace
}  // namespace imine

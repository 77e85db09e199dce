#include "imine/privacy/rdp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void expect_rel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "relative error " << (got / want - 1);
}

// The issue's vector (and TF Privacy's rdp_accountant_test): q 0.01, sigma 2.5, 50 steps.
TEST(SubsampledGaussianRdp, IssueVectorAtFractionalAndIntegerOrders) {
  const std::vector<double> rdp = compute_rdp(0.01, 2.5, 50, {2.5, 5, 50, 100});
  ASSERT_EQ(rdp.size(), 4u);
  expect_rel(rdp[0], 1.08548710e-3, 1e-4);
  expect_rel(rdp[1], 2.18075656e-3, 1e-4);
  expect_rel(rdp[2], 2.38460375e-2, 1e-4);
  expect_rel(rdp[3], 167.416308, 1e-4);
}

// The same quantities by direct numerical integration of
// A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha] with mpmath
// at 40 digits (docs/privacy.md). They pin the computation far tighter than the 1e-4 above:
// 1.08548710e-3 at order 2.5 comes from dp_accounting's newer series, which adds the absolute
// values of the alternating terms (an upper bound); the signed series here is the exact value.
TEST(SubsampledGaussianRdp, MatchesHighPrecisionIntegral) {
  const std::vector<double> orders = {1.5, 2.5, 5, 50, 100};
  const std::vector<double> want = {6.50070897188040e-4, 1.08541805691812e-3, 2.18075656230788e-3,
                                    2.38460375387062e-2, 167.416307548418};
  const std::vector<double> rdp = compute_rdp(0.01, 2.5, 50, orders);
  for (size_t k = 0; k < orders.size(); ++k) {
    SCOPED_TRACE(orders[k]);
    expect_rel(rdp[k], want[k], 1e-9);
  }
  // sigma 0.7, q 0.01, 120 steps at order 4.4 (where the 3.2392676 vector attains its minimum).
  expect_rel(compute_rdp(0.01, 0.7, 120, {4.4})[0], 0.546632796142872, 1e-9);
}

TEST(SubsampledGaussianRdp, EdgeCases) {
  // q = 0: nobody's data is touched, whatever the noise.
  EXPECT_EQ(subsampled_gaussian_rdp(0, 10, 20), 0);
  EXPECT_EQ(subsampled_gaussian_rdp(0, 0, 20), 0);
  // q = 1: the plain Gaussian mechanism, alpha / (2 sigma^2).
  EXPECT_DOUBLE_EQ(subsampled_gaussian_rdp(1, 10, 20), 0.1);
  EXPECT_DOUBLE_EQ(subsampled_gaussian_rdp(1, 2, 2.5), 2.5 / 8);
  // sigma = 0 (or so small that 1 / sigma^2 overflows): no privacy.
  EXPECT_EQ(subsampled_gaussian_rdp(0.1, 0, 2), kInf);
  EXPECT_EQ(subsampled_gaussian_rdp(0.1, 1e-300, 2.5), kInf);
  EXPECT_EQ(subsampled_gaussian_rdp(0.1, 1, kInf), kInf);
  // Zero steps spend nothing even where one step is infinite.
  EXPECT_EQ(compute_rdp(0.1, 0, 0, {2, 3.5}), (std::vector<double>{0, 0}));
  EXPECT_THROW(subsampled_gaussian_rdp(-0.1, 1, 2), Error);
  EXPECT_THROW(subsampled_gaussian_rdp(1.5, 1, 2), Error);
  EXPECT_THROW(subsampled_gaussian_rdp(0.1, -1, 2), Error);
  EXPECT_THROW(subsampled_gaussian_rdp(0.1, 1, 1), Error);
  EXPECT_THROW(subsampled_gaussian_rdp(0.1, 1, 0.5), Error);
  EXPECT_THROW(compute_rdp(0.1, 1, -1, {2}), Error);
}

// TF Privacy's test_compute_rdp_scalar: q 0.1, sigma 2, 10 steps, order 5.
TEST(SubsampledGaussianRdp, TfPrivacyScalar) {
  EXPECT_NEAR(compute_rdp(0.1, 2, 10, {5})[0], 0.07737, 5e-6);
}

// Composition is additive, and RDP grows with the order and shrinks with the noise.
TEST(SubsampledGaussianRdp, CompositionAndMonotonicity) {
  const double one = subsampled_gaussian_rdp(0.02, 1.1, 7.5);
  EXPECT_DOUBLE_EQ(compute_rdp(0.02, 1.1, 1000, {7.5})[0], 1000 * one);
  double last = 0;
  for (double order : {1.1, 1.5, 2.0, 2.7, 4.0, 9.9, 16.0, 63.0}) {
    const double r = subsampled_gaussian_rdp(0.02, 1.1, order);
    EXPECT_GT(r, last) << order;
    last = r;
  }
  EXPECT_LT(subsampled_gaussian_rdp(0.02, 2.0, 7.5), one);
  EXPECT_LT(subsampled_gaussian_rdp(0.01, 1.1, 7.5), one);
}

// Between integer orders the fractional series must join the binomial one continuously.
TEST(SubsampledGaussianRdp, FractionalSeriesMeetsIntegerExpansion) {
  for (double sigma : {0.5, 1.0, 3.0}) {
    for (double q : {1e-4, 0.01, 0.3, 0.9}) {
      for (double order : {2.0, 3.0, 8.0}) {
        SCOPED_TRACE(testing::Message() << "sigma " << sigma << " q " << q << " order " << order);
        const double at = subsampled_gaussian_rdp(q, sigma, order);
        const double below = subsampled_gaussian_rdp(q, sigma, order - 1e-7);
        const double above = subsampled_gaussian_rdp(q, sigma, order + 1e-7);
        EXPECT_NEAR(below, at, 1e-5 * at);
        EXPECT_NEAR(above, at, 1e-5 * at);
      }
    }
  }
}

TEST(LogErfc, MatchesErfcAndItsAsymptotics) {
  for (double x : {-5.0, -1.0, 0.0, 0.5, 3.0, 10.0, 19.9, 25.0})
    EXPECT_NEAR(log_erfc(x), std::log(std::erfc(x)),
                1e-12 * std::fabs(std::log(std::erfc(x))) + 1e-15)
        << x;
  // Continuous across the switch to the asymptotic expansion at 20.
  EXPECT_NEAR(log_erfc(20.0), std::log(std::erfc(20.0)), 1e-12 * 400);
  // Where erfc underflows: log erfc(x) = -x^2 - log(x sqrt(pi)) + log(1 - 1/(2x^2) + ...).
  const double x = 1000;
  EXPECT_NEAR(log_erfc(x), -x * x - std::log(x * std::sqrt(M_PI)) + std::log1p(-0.5 / (x * x)),
              1e-6);
  EXPECT_TRUE(std::isfinite(log_erfc(1e100)));
}

}  // namespace
}  // namespace imine

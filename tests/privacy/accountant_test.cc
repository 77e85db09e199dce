#include "imine/privacy/accountant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "imine/privacy/rdp.h"
#include "imine/util/error.h"

namespace imine {
namespace {

void expect_rel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "relative error " << (got / want - 1);
}

TEST(RdpOrders, PublishedLists) {
  const std::vector<double> opacus = rdp_orders(OrderList::kOpacus);
  ASSERT_EQ(opacus.size(), 99u + 52u);
  EXPECT_DOUBLE_EQ(opacus.front(), 1.1);
  EXPECT_DOUBLE_EQ(opacus[98], 10.9);
  EXPECT_EQ(opacus[99], 12);
  EXPECT_EQ(opacus.back(), 63);
  const std::vector<double> tf = rdp_orders(OrderList::kTfPrivacy);
  ASSERT_EQ(tf.size(), 10u + 59u + 3u);
  EXPECT_EQ(tf.front(), 1.25);
  EXPECT_EQ(tf[10], 5);
  EXPECT_EQ(tf.back(), 512);
  const std::vector<double> dpa = rdp_orders(OrderList::kDpAccounting);
  ASSERT_EQ(dpa.size(), 99u + 53u + 4u);
  EXPECT_EQ(dpa[99], 11);
  EXPECT_EQ(dpa.back(), 1024);
  for (OrderList l : {OrderList::kDpAccounting, OrderList::kOpacus, OrderList::kTfPrivacy})
    EXPECT_EQ(parse_order_list(order_list_name(l)), l);
  EXPECT_THROW(parse_order_list("autodp"), Error);
}

// The issue's epsilon vectors. Which order list and conversion each used was found by trying
// all of them (docs/privacy.md): all use the Balle et al. 2020 conversion.
struct Vector {
  double sigma, q;
  int64_t steps;
  double delta, epsilon, order;
  OrderList orders;
};

TEST(DpSgdEpsilon, IssueVectors) {
  const Vector vectors[] = {
      // Opacus RDPAccountant test (default orders): epochs 90 at q 0.04.
      {1.5, 0.04, 2250, 1e-5, 7.32911117143, 3.9, OrderList::kOpacus},
      // TF Privacy compute_dp_sgd_privacy tests (its own order list): 60000 examples, batch
      // 150, 15 epochs; and 100000 examples, batch 100, 30 epochs.
      {1.3, 0.0025, 6000, 1e-5, 0.7242234026109595, 19, OrderList::kTfPrivacy},
      {1.0, 0.001, 30000, 1e-7, 1.4154988495444842, 13, OrderList::kTfPrivacy},
      // TF Privacy _compute_dp_sgd_example_privacy, no microbatching, Poisson q 0.01, 1.2
      // epochs (dp_accounting's default orders).
      {0.7, 0.01, 120, 1e-5, 3.2392676, 4.4, OrderList::kDpAccounting},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(testing::Message() << "sigma " << v.sigma << " q " << v.q);
    const PrivacySpent s = dp_sgd_epsilon(v.q, v.sigma, v.steps, v.delta, rdp_orders(v.orders));
    expect_rel(s.epsilon, v.epsilon, 1e-4);
    EXPECT_EQ(s.order, v.order);
  }
}

// Tighter than the issue asks where the source is exact: Opacus' and TF Privacy's figures
// come out to 1e-9. The 3.2392676 vector is 2.3e-5 above the exact value 3.23919219 (mpmath
// integral): dp_accounting's newer fractional series adds absolute values (an upper bound).
TEST(DpSgdEpsilon, ExactWhereTheSourceIs) {
  expect_rel(dp_sgd_epsilon(0.04, 1.5, 2250, 1e-5, rdp_orders(OrderList::kOpacus)).epsilon,
             7.32911117143, 1e-9);
  expect_rel(dp_sgd_epsilon(0.0025, 1.3, 6000, 1e-5, rdp_orders(OrderList::kTfPrivacy)).epsilon,
             0.7242234026109595, 1e-9);
  expect_rel(dp_sgd_epsilon(0.001, 1.0, 30000, 1e-7, rdp_orders(OrderList::kTfPrivacy)).epsilon,
             1.4154988495444842, 1e-9);
  expect_rel(dp_sgd_epsilon(0.01, 0.7, 120, 1e-5, rdp_orders(OrderList::kDpAccounting)).epsilon,
             3.23919219391313, 1e-9);
}

// The same TF Privacy runs under the older conversion eps = rdp - log(delta) / (alpha - 1):
// TF Privacy's compute_noise_from_budget tests list these as the epsilons of sigma 1.3 and 1.0.
// The issue's vectors are not reproduced by it (0.94 vs 0.72), which is how the conversion of
// each vector was identified.
TEST(DpSgdEpsilon, Mironov2017ConversionReproducesOlderFigures) {
  const std::vector<double> tf = rdp_orders(OrderList::kTfPrivacy);
  expect_rel(dp_sgd_epsilon(0.0025, 1.3, 6000, 1e-5, tf, RdpConversion::kMironov2017).epsilon,
             0.941870567, 1e-8);
  expect_rel(dp_sgd_epsilon(0.001, 1.0, 30000, 1e-7, tf, RdpConversion::kMironov2017).epsilon,
             1.70928734, 1e-8);
  // Balle et al. is never looser.
  for (double sigma : {0.6, 1.0, 4.0}) {
    EXPECT_LE(dp_sgd_epsilon(0.01, sigma, 500, 1e-6, tf).epsilon,
              dp_sgd_epsilon(0.01, sigma, 500, 1e-6, tf, RdpConversion::kMironov2017).epsilon);
  }
}

TEST(EpsilonFromRdp, ConversionByHand) {
  // TF Privacy test_get_privacy_spent_check_target_delta: constant RDP 1.1 over orders 2..32
  // under the old conversion picks order 32: 1.1 + log(1e5) / 31 = 1.47138...
  std::vector<double> orders, rdp;
  for (int a = 2; a <= 32; ++a) orders.push_back(a), rdp.push_back(1.1);
  PrivacySpent old = epsilon_from_rdp(orders, rdp, 1e-5, RdpConversion::kMironov2017);
  EXPECT_EQ(old.order, 32);
  EXPECT_DOUBLE_EQ(old.epsilon, 1.1 + std::log(1e5) / 31);
  PrivacySpent now = epsilon_from_rdp(orders, rdp, 1e-5);
  EXPECT_EQ(now.order, 32);
  EXPECT_DOUBLE_EQ(now.epsilon, 1.1 + std::log(31.0 / 32) - (std::log(1e-5) + std::log(32)) / 31);
  // Ties go to the first order; a bound below zero says zero.
  EXPECT_EQ(epsilon_from_rdp({3, 3}, {0.5, 0.5}, 1e-3).order, 3);
  EXPECT_EQ(epsilon_from_rdp({1024}, {0}, 0.9).epsilon, 0);
  // No finite bound: infinite epsilon, no order.
  const double inf = std::numeric_limits<double>::infinity();
  PrivacySpent none = epsilon_from_rdp({2, 3}, {inf, inf}, 1e-5);
  EXPECT_EQ(none.epsilon, inf);
  EXPECT_TRUE(std::isnan(none.order));
  EXPECT_THROW(epsilon_from_rdp({2, 3}, {1}, 1e-5), Error);
  EXPECT_THROW(epsilon_from_rdp({}, {}, 1e-5), Error);
  EXPECT_THROW(epsilon_from_rdp({2}, {1}, 0), Error);
  EXPECT_THROW(epsilon_from_rdp({2}, {1}, 1), Error);
  EXPECT_THROW(epsilon_from_rdp({1}, {1}, 1e-5), Error);
  EXPECT_THROW(epsilon_from_rdp({2}, {-1}, 1e-5), Error);
}

// The plain Gaussian mechanism (q = 1) scaled for exactly (1, 1e-6)-DP, as in TF Privacy's
// test: with a fine grid of orders the RDP bound comes within a few percent of 1 from above.
TEST(EpsilonFromRdp, GaussianMechanismNearOptimal) {
  std::vector<double> orders;
  for (int i = 1001; i < 100000; i += 7) orders.push_back(0.001 * i);
  const PrivacySpent s = dp_sgd_epsilon(1, 4.530877117, 1, 1e-6, orders);
  EXPECT_GE(s.epsilon, 1);
  EXPECT_LT(s.epsilon, 1.06);
}

TEST(NoiseMultiplier, InvertsTheVectors) {
  const std::vector<double> tf = rdp_orders(OrderList::kTfPrivacy);
  expect_rel(*noise_multiplier_for_epsilon(0.7242234026109595, 0.0025, 6000, 1e-5, tf, 100), 1.3,
             1e-7);
  expect_rel(*noise_multiplier_for_epsilon(1.4154988495444842, 0.001, 30000, 1e-7, tf, 100), 1.0,
             1e-7);
  // Opacus' get_noise_multiplier test (epsilon 8, 90 epochs at q 0.04) expects 1.425307617
  // with its epsilon tolerance of 0.01; the exact answer lies just below and meets the target.
  const std::vector<double> opacus = rdp_orders(OrderList::kOpacus);
  const double sigma = *noise_multiplier_for_epsilon(8, 0.04, 2250, 1e-5, opacus, 100);
  EXPECT_LT(sigma, 1.425307617);
  EXPECT_GT(sigma, 1.41);
  const double eps = dp_sgd_epsilon(0.04, sigma, 2250, 1e-5, opacus).epsilon;
  EXPECT_LE(eps, 8);
  EXPECT_GT(eps, 8 - 1e-6);
  EXPECT_GT(dp_sgd_epsilon(0.04, sigma * (1 - 1e-8), 2250, 1e-5, opacus).epsilon, 8);
}

TEST(NoiseMultiplier, UnreachableAndFreeTargets) {
  const std::vector<double> orders = rdp_orders(OrderList::kDpAccounting);
  EXPECT_FALSE(noise_multiplier_for_epsilon(0.5, 0.3, 10000, 1e-5, orders, 100).has_value());
  const std::optional<double> wider =
      noise_multiplier_for_epsilon(0.5, 0.3, 10000, 1e-5, orders, 1e3);
  ASSERT_TRUE(wider.has_value());
  EXPECT_GT(*wider, 100);
  // Sampling nobody, or running no step, needs no noise.
  EXPECT_EQ(*noise_multiplier_for_epsilon(1, 0, 1000, 1e-5, orders, 100), 0);
  EXPECT_EQ(*noise_multiplier_for_epsilon(1, 0.1, 0, 1e-5, orders, 100), 0);
  EXPECT_THROW(noise_multiplier_for_epsilon(0, 0.1, 10, 1e-5, orders, 100), Error);
  EXPECT_THROW(noise_multiplier_for_epsilon(1, 0.1, 10, 1e-5, orders, 0), Error);
}

TEST(StepsForEpochs, RoundsUpButForgivesFloatNoise) {
  EXPECT_EQ(steps_for_epochs(90, 0.04), 2250);  // 2250.0000000000005 in doubles
  EXPECT_EQ(steps_for_epochs(1.2, 0.01), 120);  // 119.99999999999999 in doubles
  EXPECT_EQ(steps_for_epochs(15, 0.0025), 6000);
  EXPECT_EQ(steps_for_epochs(1, 0.3), 4);  // 3.33 steps: a partial step still runs
  EXPECT_EQ(steps_for_epochs(0.5, 1), 1);
  EXPECT_THROW(steps_for_epochs(0, 0.1), Error);
  EXPECT_THROW(steps_for_epochs(1, 0), Error);
  EXPECT_THROW(steps_for_epochs(1e9, 1e-9), Error);
}

}  // namespace
}  // namespace imine

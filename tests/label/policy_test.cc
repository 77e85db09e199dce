#include "imine/label/policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "imine/label/label_writer.h"
#include "imine/util/error.h"

namespace imine {
namespace {

// Fixed scores (distinct, near ties included) and posterior sds of different widths.
const std::vector<float> kScores = {0.62f, 0.55f, 0.54f, 0.30f, 0.12f, 0.05f};
const std::vector<float> kSigma = {0.05f, 0.20f, 0.02f, 0.30f, 0.60f, 0.10f};
constexpr int kC = 6;
constexpr int kK = 3;

UserScores user() { return {kScores.data(), kSigma.data(), kC}; }

// Upper tail of the chi-square distribution (Wilson-Hilferty; accurate to a few percent of
// the p-value in the range that matters here, p around 1e-3).
double chi_square_p(double x, int df) {
  const double v = 2.0 / (9.0 * df);
  const double z = (std::cbrt(x / df) - (1 - v)) / std::sqrt(v);
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// Draws n lists and checks, for every slot and every history of earlier slots, the empirical
// frequency of each category against the policy's distribution given that history, and that
// every logged propensity is that distribution's value for the logged category.
void check_propensities(const Policy& p, int n) {
  std::map<std::vector<int32_t>, std::vector<double>> counts;  // prefix -> counts per category
  std::vector<int32_t> cats(kK);
  std::vector<uint8_t> slots(kK);
  std::vector<float> props(kK);
  std::vector<uint8_t> cand;
  std::vector<double> dist(kC);
  std::map<std::vector<int32_t>, std::vector<double>> dists;
  for (int i = 0; i < n; ++i) {
    choose_labels(p, user(), kK, 7, static_cast<uint64_t>(i), cats.data(), slots.data(),
                  props.data());
    for (int j = 0; j < kK; ++j) {
      std::vector<int32_t> prefix(cats.begin(), cats.begin() + j);
      auto [it, fresh] = dists.try_emplace(prefix);
      if (fresh) {
        slot_candidates(p, user(), kK, j, cats.data(), &cand);
        it->second.resize(kC);
        slot_distribution(policy_for_slot(p, kK, j), user(), cand.data(), it->second.data());
      }
      ASSERT_NEAR(props[j], it->second[cats[j]], 1e-6) << "slot " << j;
      ASSERT_GT(props[j], 0.0f);
      auto& c = counts[prefix];
      c.resize(kC);
      c[cats[j]] += 1;
    }
  }
  double chi2 = 0;
  int df = 0;
  for (const auto& [prefix, c] : counts) {
    double total = 0;
    for (double v : c) total += v;
    const std::vector<double>& q = dists[prefix];
    int cells = 0;
    double rest_o = 0, rest_e = 0;  // cells expecting fewer than 5 draws are pooled
    for (int a = 0; a < kC; ++a) {
      const double e = total * q[a];
      if (q[a] == 0) {
        EXPECT_EQ(c[a], 0) << "a category with probability 0 was drawn";
        continue;
      }
      if (e < 5) {
        rest_o += c[a];
        rest_e += e;
        continue;
      }
      chi2 += (c[a] - e) * (c[a] - e) / e;
      ++cells;
    }
    if (rest_e >= 5) {
      chi2 += (rest_o - rest_e) * (rest_o - rest_e) / rest_e;
      ++cells;
    }
    df += std::max(0, cells - 1);
  }
  if (df == 0) return;  // deterministic policy: every draw matched its point mass above
  const double pv = chi_square_p(chi2, df);
  EXPECT_GT(pv, 0.001) << policy_name(p.kind) << ": chi2 " << chi2 << " on " << df << " df";
}

TEST(Policy, EmpiricalSlotFrequenciesMatchLoggedPropensities) {
  const std::vector<std::pair<PolicyKind, double>> cases = {
      {PolicyKind::kGreedy, 0},    {PolicyKind::kEpsilon, 0.3},  {PolicyKind::kSoftmax, 0.1},
      {PolicyKind::kSquareCb, 20}, {PolicyKind::kThompson, 1.0}, {PolicyKind::kUcb, 1.0}};
  for (const auto& [kind, knob] : cases) {
    Policy p;
    p.kind = kind;
    p.knob = knob;
    SCOPED_TRACE(policy_name(kind));
    check_propensities(p, 100000);
  }
}

TEST(Policy, ExploreSlotsNeverHoldTheGreedyChoice) {
  for (PolicyKind kind : {PolicyKind::kEpsilon, PolicyKind::kThompson, PolicyKind::kSoftmax}) {
    Policy p;
    p.kind = kind;
    p.knob = kind == PolicyKind::kSoftmax ? 0.1 : 1.0;
    p.explore_slots = 1;
    SCOPED_TRACE(policy_name(kind));
    check_propensities(p, 100000);
    std::vector<int32_t> cats(kK);
    std::vector<uint8_t> slots(kK);
    for (uint64_t id = 0; id < 1000; ++id) {
      choose_labels(p, user(), kK, 1, id, cats.data(), slots.data(), nullptr);
      EXPECT_EQ(cats[0], 0);
      EXPECT_EQ(cats[1], 1);
      EXPECT_NE(cats[2], 2) << "the greedy choice of the last slot is excluded";
      EXPECT_EQ(slots[0], kSlotExploit);
      EXPECT_EQ(slots[2], kSlotExplore);
    }
  }
}

TEST(Policy, GreedyIsTopKAndExploitsEverywhere) {
  Policy p;
  std::vector<int32_t> cats(kK);
  std::vector<uint8_t> slots(kK);
  std::vector<float> props(kK);
  choose_labels(p, user(), kK, 1, 42, cats.data(), slots.data(), props.data());
  EXPECT_EQ(cats, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(slots, (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(props, (std::vector<float>{1, 1, 1}));
}

TEST(Policy, SlotIsExploreOnlyOutsideTheGreedyList) {
  // Softmax at a high temperature reorders and replaces; a slot explores iff its category is
  // not among the k best scores.
  Policy p;
  p.kind = PolicyKind::kSoftmax;
  p.knob = 10;
  std::vector<int32_t> cats(kK);
  std::vector<uint8_t> slots(kK);
  for (uint64_t id = 0; id < 500; ++id) {
    choose_labels(p, user(), kK, 3, id, cats.data(), slots.data(), nullptr);
    for (int j = 0; j < kK; ++j) EXPECT_EQ(slots[j], cats[j] >= 3 ? kSlotExplore : kSlotExploit);
  }
}

TEST(Policy, SameSeedAndUserGiveTheSameList) {
  Policy p;
  p.kind = PolicyKind::kThompson;
  p.knob = 1;
  std::vector<int32_t> a(kK), b(kK), c(kK);
  std::vector<uint8_t> s(kK);
  choose_labels(p, user(), kK, 5, 99, a.data(), s.data(), nullptr);
  choose_labels(p, user(), kK, 5, 99, b.data(), s.data(), nullptr);
  EXPECT_EQ(a, b);
  bool differs = false;
  for (uint64_t id = 0; id < 50 && !differs; ++id) {
    choose_labels(p, user(), kK, 6, id, c.data(), s.data(), nullptr);
    choose_labels(p, user(), kK, 5, id, b.data(), s.data(), nullptr);
    differs = b != c;
  }
  EXPECT_TRUE(differs) << "another seed never changed a list";
}

TEST(Policy, UncertaintyPoliciesNeedSigma) {
  Policy p;
  p.kind = PolicyKind::kUcb;
  UserScores u{kScores.data(), nullptr, kC};
  std::vector<int32_t> cats(kK);
  std::vector<uint8_t> slots(kK);
  EXPECT_THROW(choose_labels(p, u, kK, 1, 1, cats.data(), slots.data(), nullptr), Error);
  EXPECT_THROW(policy_kind("bandit"), Error);
  EXPECT_EQ(policy_kind("squarecb"), PolicyKind::kSquareCb);
}

TEST(Policy, SquareCbFollowsTheFosterRakhlinRule) {
  Policy p;
  p.kind = PolicyKind::kSquareCb;
  p.knob = 10;
  std::vector<uint8_t> cand(kC, 1);
  std::vector<double> q(kC);
  slot_distribution(p, user(), cand.data(), q.data());
  double rest = 0;
  for (int a = 1; a < kC; ++a) {
    EXPECT_NEAR(q[a], 1.0 / (kC + 10 * (kScores[0] - kScores[a])), 1e-6);
    rest += q[a];
  }
  EXPECT_NEAR(q[0], 1 - rest, 1e-12);
}

TEST(Policy, EpsilonAndSoftmaxFollowTheirFormulas) {
  // Slot 2 after categories 0 and 3: four open categories, 1 the best.
  std::vector<uint8_t> cand = {0, 1, 1, 0, 1, 1};
  std::vector<double> q(kC);
  Policy p;
  p.kind = PolicyKind::kEpsilon;
  p.knob = 0.2;
  slot_distribution(p, user(), cand.data(), q.data());
  EXPECT_NEAR(q[1], 0.8 + 0.2 / 4, 1e-12);
  EXPECT_NEAR(q[4], 0.2 / 4, 1e-12);
  EXPECT_EQ(q[0], 0.0);
  p.kind = PolicyKind::kSoftmax;
  p.knob = 0.1;
  slot_distribution(p, user(), cand.data(), q.data());
  double z = 0;
  for (int a : {1, 2, 4, 5}) z += std::exp(kScores[a] / 0.1);
  for (int a : {1, 2, 4, 5}) EXPECT_NEAR(q[a], std::exp(kScores[a] / 0.1) / z, 1e-9);
  // Thompson's integral against a closed form: two open categories, P(X_1 > X_2).
  std::vector<uint8_t> two = {0, 1, 1, 0, 0, 0};
  p.kind = PolicyKind::kThompson;
  p.knob = 1;
  const double sd = std::sqrt(kSigma[1] * kSigma[1] + kSigma[2] * kSigma[2]);
  EXPECT_NEAR(slot_probability(p, user(), two.data(), 1),
              0.5 * std::erfc(-(kScores[1] - kScores[2]) / sd / std::sqrt(2.0)), 1e-5);
}

TEST(Policy, CalibrationFindsTheBudgetOfAMonotoneShare) {
  // Shares like a policy's: increasing in the knob (decreasing for squarecb's gamma).
  const double e = calibrate_knob(PolicyKind::kEpsilon, 0.2, [](double x) { return 0.8 * x; });
  EXPECT_NEAR(e, 0.25, 1e-6);
  const double t = calibrate_knob(PolicyKind::kSoftmax, 0.3, [](double x) { return x / (1 + x); });
  EXPECT_NEAR(t / (1 + t), 0.3, 1e-6);
  const double g = calibrate_knob(PolicyKind::kSquareCb, 0.1, [](double x) { return 1 / (1 + x); });
  EXPECT_NEAR(1 / (1 + g), 0.1, 1e-6);
  EXPECT_EQ(calibrate_knob(PolicyKind::kGreedy, 0.5, [](double) { return 0.0; }), 0.0);
  EXPECT_THROW(calibrate_knob(PolicyKind::kEpsilon, 1.5, [](double x) { return x; }), Error);
}

}  // namespace
}  // namespace imine

#include "imine/eval/policy_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

TEST(PolicyMetrics, HandComputedList) {
  // C = 5, k = 2, one user: input {0}, target {0, 3}; list [0 (exploit), 3 (explore)].
  PolicyMetricsAccumulator acc(5, 2);
  const int32_t cats[] = {0, 3};
  const uint8_t slots[] = {0, 1};
  const uint8_t target[] = {1, 0, 0, 1, 0}, input[] = {1, 0, 0, 0, 0}, truth[] = {1, 0, 1, 1, 0};
  acc.add(cats, slots, target, input, truth);
  // Second user: no new interest, list [1, 2] both exploit, target {1}.
  const int32_t cats2[] = {1, 2};
  const uint8_t slots2[] = {0, 0};
  const uint8_t target2[] = {0, 1, 0, 0, 0}, input2[] = {0, 1, 1, 0, 0};
  acc.add(cats2, slots2, target2, input2, nullptr);
  const PolicyMetrics m = acc.finish();
  EXPECT_EQ(m.users, 2);
  EXPECT_DOUBLE_EQ(m.precision_at_k, (1.0 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(m.exploit_precision_at_k, 2.0 / 3);  // hits 0 and 1 among 3 exploit slots
  EXPECT_DOUBLE_EQ(m.explore_share, 1.0 / 4);
  EXPECT_EQ(m.new_interest_hits, 1);
  EXPECT_DOUBLE_EQ(m.explore_new_interest_rate, 1.0);
  EXPECT_DOUBLE_EQ(m.new_interest_recall, 1.0);  // only user 1 has a new interest (3)
  EXPECT_DOUBLE_EQ(m.ndcg_at_k, (1.0 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(m.exploit_ndcg_at_k, (1.0 / (1.0 + 1.0 / std::log2(3.0)) + 1.0) / 2);
  EXPECT_EQ(m.distinct_categories, 4);
  EXPECT_DOUBLE_EQ(m.novel_user_share, 0.5);
  EXPECT_DOUBLE_EQ(m.truth_surfaced, 0.5);  // truth unexpressed {2, 3}, listed {3}
  EXPECT_NE(to_json_fields(m, "").find("\"new_interest_hits\":1"), std::string::npos);
}

TEST(PolicyMetrics, GiniOfExposure) {
  EXPECT_DOUBLE_EQ(gini({5, 5, 5, 5}), 0.0);
  EXPECT_DOUBLE_EQ(gini({0, 0, 0, 8}), 0.75);  // (n - 1) / n when one category gets all
  EXPECT_TRUE(std::isnan(gini({0, 0})));
}

// Sequential softmax without replacement over C categories, k slots: the kind of policy the
// estimators see. probs over the open categories at temperature t.
void softmax_slot(const std::vector<double>& score, const std::vector<uint8_t>& open, double t,
                  std::vector<double>* p) {
  double z = 0;
  p->assign(score.size(), 0.0);
  for (size_t a = 0; a < score.size(); ++a) {
    if (open[a]) z += (*p)[a] = std::exp(score[a] / t);
  }
  for (double& v : *p) v /= z;
}

int draw(const std::vector<double>& p, Rng& rng) {
  double x = rng.uniform(), acc = 0;
  for (size_t a = 0; a < p.size(); ++a) {
    acc += p[a];
    if (p[a] > 0 && x < acc) return static_cast<int>(a);
  }
  for (size_t a = p.size(); a-- > 0;)
    if (p[a] > 0) return static_cast<int>(a);
  return 0;
}

// Target policy B's exact expected hit rate for one context (C = 4, k = 2: enumerate).
double true_value(const std::vector<double>& score, const std::vector<double>& q, double t, int k) {
  const size_t C = score.size();
  std::vector<uint8_t> open(C, 1);
  std::vector<double> p1, p2;
  softmax_slot(score, open, t, &p1);
  double v = 0;
  for (size_t a = 0; a < C; ++a) {
    open[a] = 0;
    softmax_slot(score, open, t, &p2);
    double second = 0;
    for (size_t b = 0; b < C; ++b) second += p2[b] * q[b];
    v += p1[a] * (q[a] + second);
    open[a] = 1;
  }
  return v / k;
}

struct SimRun {
  OpeEstimates est;
  double truth;
};

// n users with random contexts; log A = softmax at temperature 1, target B = softmax at 0.3 on
// the same scores; rewards Bernoulli(q) with q = sigmoid(score); the direct method is q + bias.
SimRun simulate(int n, double dm_bias, uint64_t seed) {
  constexpr int C = 4, k = 2;
  OpeAccumulator acc(k);
  double truth = 0;
  std::vector<double> score(C), q(C), pa, pb;
  std::vector<uint8_t> open(C);
  OpeSlot slots[k];
  for (int i = 0; i < n; ++i) {
    Rng rng(seed, 1, static_cast<uint64_t>(i));
    for (int a = 0; a < C; ++a) {
      score[a] = rng.normal();
      q[a] = 1 / (1 + std::exp(-score[a]));
    }
    truth += true_value(score, q, 0.3, k);
    open.assign(C, 1);
    for (int j = 0; j < k; ++j) {
      softmax_slot(score, open, 1.0, &pa);
      softmax_slot(score, open, 0.3, &pb);
      const int a = draw(pa, rng);
      OpeSlot& s = slots[j];
      s.logged_propensity = pa[a];
      s.target_probability = pb[a];
      s.reward = rng.uniform() < q[a] ? 1 : 0;
      s.q_logged = std::min(1.0, q[a] + dm_bias);
      s.q_target = 0;
      for (int b = 0; b < C; ++b) s.q_target += pb[b] * std::min(1.0, q[b] + dm_bias);
      open[a] = 0;
    }
    acc.add(slots);
  }
  return {acc.finish(), truth / n};
}

TEST(OffPolicy, EstimatesConvergeToTheTargetPolicysValue) {
  const SimRun big = simulate(200000, 0.15, 11);
  EXPECT_EQ(big.est.users, 200000);
  // The log's own value differs from B's, so agreeing with B is not an accident of the log.
  EXPECT_GT(std::abs(big.est.logged - big.truth), 0.03);
  EXPECT_NEAR(big.est.ips, big.truth, 0.006);
  EXPECT_NEAR(big.est.snips, big.truth, 0.006);
  EXPECT_NEAR(big.est.dr, big.truth, 0.006) << "DR stays unbiased with a biased direct method";
  // Convergence: the error over several small logs shrinks on a 100x larger one.
  double small_err = 0;
  for (uint64_t s = 0; s < 8; ++s) {
    const SimRun r = simulate(2000, 0.15, 100 + s);
    small_err += std::abs(r.est.ips - r.truth) / 8;
  }
  EXPECT_LT(std::abs(big.est.ips - big.truth), small_err);
}

TEST(OffPolicy, DoublyRobustWithAGoodDirectMethodBeatsIps) {
  // An exact direct method leaves DR only the reward noise to correct: lower error than IPS.
  double ips_sq = 0, dr_sq = 0;
  for (uint64_t s = 0; s < 10; ++s) {
    const SimRun r = simulate(3000, 0.0, 300 + s);
    ips_sq += (r.est.ips - r.truth) * (r.est.ips - r.truth);
    dr_sq += (r.est.dr - r.truth) * (r.est.dr - r.truth);
  }
  EXPECT_LT(dr_sq, ips_sq);
}

TEST(OffPolicy, RejectsZeroPropensity) {
  OpeAccumulator acc(1);
  OpeSlot s;
  s.logged_propensity = 0;
  EXPECT_THROW(acc.add(&s), Error);
}

}  // namespace
}  // namespace imine

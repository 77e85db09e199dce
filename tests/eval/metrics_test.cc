#include "imine/eval/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

TEST(RocAuc, HandComputedWithTies) {
  // Positives 0.9, 0.8, 0.1; negatives 0.8, 0.3. Pairs won: 0.9 -> 2, 0.8 -> 1 + 0.5 (tie),
  // 0.1 -> 0. AUC = 3.5 / 6.
  const float s[5] = {0.9f, 0.8f, 0.8f, 0.3f, 0.1f};
  const uint8_t y[5] = {1, 0, 1, 0, 1};
  EXPECT_NEAR(roc_auc(s, y, 5), 3.5 / 6, 1e-12);
}

TEST(RocAuc, PerfectInvertedAndUndefined) {
  const float s[4] = {0.9f, 0.7f, 0.2f, 0.0f};
  const uint8_t perfect[4] = {1, 1, 0, 0}, inverted[4] = {0, 0, 1, 1}, none[4] = {0, 0, 0, 0};
  EXPECT_EQ(roc_auc(s, perfect, 4), 1.0);
  EXPECT_EQ(roc_auc(s, inverted, 4), 0.0);
  EXPECT_TRUE(std::isnan(roc_auc(s, none, 4)));
  const float all_tied[4] = {0.5f, 0.5f, 0.5f, 0.5f};
  EXPECT_EQ(roc_auc(all_tied, perfect, 4), 0.5);
}

// Reference: average ranks after a comparison sort (Mann-Whitney), O(m log m).
double reference_auc(const std::vector<float>& s, const std::vector<uint8_t>& y) {
  std::vector<size_t> idx(s.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s[a] < s[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && s[idx[j]] == s[idx[i]]) ++j;
    const double avg_rank = (i + 1 + j) / 2.0;
    for (size_t q = i; q < j; ++q) {
      if (y[idx[q]]) {
        rank_sum += avg_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = s.size() - pos;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

TEST(RocAuc, RadixPathMatchesComparisonSortOnManyTies) {
  Rng rng(11, kStreamBench);
  const size_t m = 200000;
  std::vector<float> s(m);
  std::vector<uint8_t> y(m);
  for (size_t i = 0; i < m; ++i) {
    s[i] = static_cast<float>(rng.below(1000)) / 999.0f;  // heavy ties, including 0 and 1
    y[i] = rng.uniform() < 0.2 + 0.5 * s[i];
  }
  EXPECT_NEAR(roc_auc(s.data(), y.data(), m), reference_auc(s, y), 1e-9);
}

TEST(Evaluate, MicroAndMacroAucSkipCategoriesWithoutPositives) {
  const float p[9] = {0.9f, 0.2f, 0.5f,   // user 0
                      0.1f, 0.6f, 0.4f,   // user 1
                      0.3f, 0.6f, 0.7f};  // user 2 (no targets)
  const uint8_t t[9] = {1, 0, 0, 0, 1, 0, 0, 0, 0};
  Metrics m = evaluate(p, t, nullptr, 3, 3, 1);
  // Category 0: 1.0. Category 1: positive 0.6 vs 0.2 and a tied 0.6 -> 0.75. Category 2 has
  // no positive user and is skipped.
  EXPECT_NEAR(m.macro_auc, (1.0 + 0.75) / 2, 1e-12);
  // Positive 0.9 beats all 7 negatives; 0.6 beats 5, ties 1, loses to 0.7: 12.5 / 14.
  EXPECT_NEAR(m.micro_auc, 12.5 / 14, 1e-12);
  EXPECT_EQ(m.users, 2u);
  EXPECT_TRUE(std::isnan(m.new_interest_recall_at_k));
}

TEST(Evaluate, RankingMetricsOnTwoUsersByHand) {
  const float p[8] = {0.1f, 0.9f, 0.8f, 0.3f,   // ranks 1, 2, 3, 0
                      0.5f, 0.5f, 0.2f, 0.1f};  // tie: category 0 ranks before 1
  const uint8_t t[8] = {1, 0, 1, 0, 0, 1, 0, 0};
  Metrics m = evaluate(p, t, nullptr, 2, 4, 2);
  // User 0: top {1, 2}, one hit at rank 2 of 2 targets: P 1/2, R 1/2,
  //   NDCG (1/log2 3) / (1 + 1/log2 3). User 1: top {0, 1}, hit at rank 2 of 1 target:
  //   P 1/2, R 1, NDCG 1/log2 3. Neither has a target at rank 1.
  const double d2 = 1 / std::log2(3.0);
  EXPECT_EQ(m.k, 2);
  EXPECT_NEAR(m.precision_at_k, 0.5, 1e-12);
  EXPECT_NEAR(m.recall_at_k, 0.75, 1e-12);
  EXPECT_NEAR(m.ndcg_at_k, (d2 / (1 + d2) + d2) / 2, 1e-12);
  EXPECT_EQ(m.hit_rate_at_1, 0.0);
  EXPECT_EQ(m.users, 2u);

  const uint8_t t_first[8] = {1, 0, 0, 0, 1, 0, 0, 0};  // user 1's target wins the tie
  Metrics m2 = evaluate(p, t_first, nullptr, 2, 4, 1);
  EXPECT_EQ(m2.hit_rate_at_1, 0.5);
  EXPECT_EQ(m2.ndcg_at_k, 0.5);

  Metrics m3 = evaluate(p, t, nullptr, 2, 4, 10);  // k clamped to C
  EXPECT_EQ(m3.k, 4);
  EXPECT_EQ(m3.recall_at_k, 1.0);
  EXPECT_EQ(m3.precision_at_k, (2.0 / 4 + 1.0 / 4) / 2);
}

TEST(Evaluate, NewInterestRecallIgnoresCategoriesAlreadyInInput) {
  const float p[8] = {0.9f, 0.8f, 0.7f, 0.1f,  //
                      0.2f, 0.9f, 0.1f, 0.3f};
  const uint8_t t[8] = {1, 0, 1, 1,   // new targets of user 0: {2, 3}
                        0, 1, 0, 0};  // user 1's only target was already in its input
  const uint8_t in[8] = {1, 0, 0, 0, 0, 1, 0, 0};
  Metrics m = evaluate(p, t, in, 2, 4, 2);
  // User 0 ranks {1, 2, 3} among categories absent from its input; top 2 = {1, 2}: 1 of 2.
  // (Over all categories its top 2 would be {0, 1}, with no new hit.)
  EXPECT_EQ(m.new_interest_users, 1u);
  EXPECT_NEAR(m.new_interest_recall_at_k, 0.5, 1e-12);
  EXPECT_NEAR(m.recall_at_k, (1.0 / 3 + 1.0) / 2, 1e-12);
}

TEST(Evaluate, LogLossWithClipping) {
  const float p[3] = {0.8f, 0.0f, 0.25f};
  const uint8_t t[3] = {1, 1, 0};
  Metrics m = evaluate(p, t, nullptr, 1, 3, 1);
  // (-ln 0.8 - ln 1e-7 - ln 0.75) / 3 = (0.223144 + 16.118096 + 0.287682) / 3
  EXPECT_NEAR(m.log_loss, 5.542974, 1e-5);
}

TEST(Evaluate, RejectsScoresOutsideUnitInterval) {
  const float bad[2] = {0.5f, 1.5f}, nan[2] = {0.5f, std::nanf("")};
  const uint8_t t[2] = {1, 0};
  EXPECT_THROW(evaluate(bad, t, nullptr, 1, 2, 1), Error);
  EXPECT_THROW(evaluate(nan, t, nullptr, 1, 2, 1), Error);
  const float ok[2] = {0.5f, 0.25f};
  EXPECT_THROW(evaluate(ok, t, nullptr, 1, 2, 0), Error);  // k must be >= 1
}

TEST(Render, TableAndJson) {
  Metrics a;
  a.micro_auc = 0.8929;
  a.macro_auc = 0.875;
  a.log_loss = 0.31;
  a.precision_at_k = 0.5;
  a.recall_at_k = 0.75;
  a.ndcg_at_k = 0.5;
  a.hit_rate_at_1 = 0.25;
  a.new_interest_recall_at_k = std::nan("");
  a.k = 5;
  a.users = 120;
  a.new_interest_users = 0;
  Metrics b = a;
  b.micro_auc = 0.5;
  const std::string table = metrics_table({{"model", a}, {"pop", b}});
  EXPECT_NE(table.find("P@5"), std::string::npos);
  EXPECT_NE(table.find("0.8929"), std::string::npos);
  EXPECT_NE(table.find("n/a"), std::string::npos);
  // Three lines of equal width.
  size_t first = table.find('\n');
  size_t second = table.find('\n', first + 1);
  size_t third = table.find('\n', second + 1);
  EXPECT_EQ(first, second - first - 1);
  EXPECT_EQ(first, third - second - 1);
  EXPECT_EQ(third + 1, table.size());

  EXPECT_EQ(to_json_fields(a, "val"),
            "\"val_micro_auc\":0.8929,\"val_macro_auc\":0.875,\"val_log_loss\":0.31,"
            "\"val_precision_at_k\":0.5,\"val_recall_at_k\":0.75,\"val_ndcg_at_k\":0.5,"
            "\"val_hit_rate_at_1\":0.25,\"val_new_interest_recall_at_k\":null,\"val_k\":5,"
            "\"val_users\":120,\"val_new_interest_users\":0");
  EXPECT_EQ(to_json_fields(a, "").rfind("\"micro_auc\":0.8929,", 0), 0u);
}

}  // namespace
}  // namespace imine

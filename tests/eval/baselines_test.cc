#include "imine/eval/baselines.h"

#include <gtest/gtest.h>

#include <vector>

#include "imine/eval/metrics.h"
#include "imine/util/error.h"

namespace imine {
namespace {

TEST(Baselines, PopularityFromCounts) {
  const uint8_t t[6] = {1, 0, 1,  //
                        1, 0, 0};
  std::vector<double> counts(3, 0.0);
  count_targets(t, 2, 3, counts.data());
  EXPECT_EQ(counts, (std::vector<double>{2, 0, 1}));
  EXPECT_EQ(popularity_from_counts(counts, 4), (std::vector<float>{0.5f, 0.0f, 0.25f}));
  EXPECT_THROW(popularity_from_counts(counts, 0), Error);
  EXPECT_THROW(popularity_from_counts(counts, 1), Error);  // count 2 > 1 user

  std::vector<float> out(6);
  pop_scores({0.5f, 0.0f, 0.25f}, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{0.5f, 0.0f, 0.25f, 0.5f, 0.0f, 0.25f}));
}

TEST(Baselines, HistScoresBreakTiesByPopularity) {
  // Rows of 5 features whose histogram block is [1, 4).
  const float features[10] = {9, 0.5f, 0.5f, 0.0f, 9,  //
                              9, 1.0f, 0.0f, 0.0f, 9};
  const std::vector<float> pop = {0.1f, 0.9f, 0.3f};
  std::vector<float> s(6);
  hist_scores(features, 5, 1, pop, 2, s.data());
  EXPECT_GT(s[1], s[0]);  // equal share, category 1 is more popular
  EXPECT_GT(s[0], s[2]);
  EXPECT_GT(s[2], 0.0f);  // unseen category still ranked by popularity
  EXPECT_NEAR(s[0], 0.5, 1e-6);
  EXPECT_LE(s[3], 1.0f);
  EXPECT_GT(s[4], s[5]);  // among the unseen categories of user 1, 1 is more popular than 2

  // Through evaluate: without popularity, user 0's tie would go to category 0 (lower id).
  const uint8_t t[6] = {0, 1, 0, 0, 0, 1};
  Metrics m = evaluate(s.data(), t, nullptr, 2, 3, 1);
  EXPECT_EQ(m.hit_rate_at_1, 0.5);
  // User 1's target 2 is the least popular unseen category: rank 3, so recall@2 is 1/2.
  EXPECT_EQ(evaluate(s.data(), t, nullptr, 2, 3, 2).recall_at_k, 0.5);
  EXPECT_THROW(hist_scores(features, 3, 1, pop, 2, s.data()), Error);
}

}  // namespace
}  // namespace imine

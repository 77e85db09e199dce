#include "imine/features/feature_selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

// Feature 0 equals the label of category 0, feature 1 is unrelated (alternates independently),
// feature 2 is constant.
MutualInfoCounts sample_counts() {
  MutualInfoCounts mi(3, 2);
  for (int i = 0; i < 400; ++i) {
    const uint8_t y0 = i % 2, y1 = (i / 2) % 2;
    const float row[3] = {y0 ? 1.0f : -1.0f, ((i / 4) % 2) ? 1.0f : -1.0f, 0.0f};
    const uint8_t t[2] = {y0, y1};
    mi.add(row, t);
  }
  return mi;
}

TEST(FeatureSelection, BinsFollowTheEdges) {
  EXPECT_EQ(MutualInfoCounts::bin_of(-9.0f), 0);
  EXPECT_EQ(MutualInfoCounts::bin_of(-1.5f), 1);
  EXPECT_EQ(MutualInfoCounts::bin_of(0.0f), 4);
  EXPECT_EQ(MutualInfoCounts::bin_of(0.2f), 4);
  EXPECT_EQ(MutualInfoCounts::bin_of(9.0f), 7);
}

TEST(FeatureSelection, MutualInformationOfKnownCases) {
  const std::vector<double> mi = sample_counts().mutual_information();
  ASSERT_EQ(mi.size(), 6u);
  EXPECT_NEAR(mi[0 * 2 + 0], std::log(2.0), 1e-9);  // a perfect predictor: H(Y) = log 2
  EXPECT_NEAR(mi[0 * 2 + 1], 0.0, 1e-9);
  EXPECT_NEAR(mi[1 * 2 + 0], 0.0, 1e-9);
  EXPECT_NEAR(mi[2 * 2 + 0], 0.0, 1e-12);
}

TEST(FeatureSelection, MergedCountsEqualOneTable) {
  MutualInfoCounts a = sample_counts(), b = sample_counts();
  std::vector<double> sum = a.raw();
  for (size_t i = 0; i < sum.size(); ++i) sum[i] += b.raw()[i];
  a.set_raw(sum);
  const std::vector<double> one = sample_counts().mutual_information(),
                            two = a.mutual_information();
  for (size_t i = 0; i < one.size(); ++i) EXPECT_NEAR(one[i], two[i], 1e-12);
  EXPECT_THROW(a.set_raw(std::vector<double>(3)), Error);
}

TEST(FeatureSelection, RankingKeepsTopKPlusTheAlwaysKept) {
  const std::vector<double> mi = sample_counts().mutual_information();
  FeatureRanking r = rank_features(mi, 3, 2, 1, {});
  EXPECT_EQ(r.order[0], 0);
  EXPECT_EQ(r.selected, std::vector<int>({0}));
  r = rank_features(mi, 3, 2, 1, {2});
  EXPECT_EQ(r.selected, std::vector<int>({0, 2}));
  r = rank_features(mi, 3, 2, 0, {});
  EXPECT_EQ(r.selected, std::vector<int>({0, 1, 2}));
  EXPECT_THROW(rank_features(mi, 3, 2, 1, {3}), Error);
  const std::string json = feature_report_json(r, mi, {"a", "b\"q", "c"}, {"x", "y"});
  EXPECT_NE(json.find("\"rank\":1,\"name\":\"a\""), std::string::npos);
  EXPECT_NE(json.find("b\\\"q"), std::string::npos);
  EXPECT_NE(json.find("\"top_category\":\"x\""), std::string::npos);
}

}  // namespace
}  // namespace imine

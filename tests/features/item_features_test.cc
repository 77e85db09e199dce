#include "imine/features/item_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

UserChunk chunk_of(const std::vector<uint32_t>& items) {
  UserChunk c;
  c.user_ids = {7};
  c.offsets = {0, items.size()};
  c.items = items;
  c.types.assign(items.size(), 0);
  c.times.assign(items.size(), 0);
  c.weights.assign(items.size(), 1.0f);
  return c;
}

TEST(ItemFeatures, BucketsAreFixedAndInRange) {
  for (uint32_t item = 0; item < 1000; ++item) EXPECT_LT(item_bucket(item, 64), 64u);
  EXPECT_EQ(item_bucket(12345, 1u << 14), item_bucket(12345, 1u << 14));
  // Different items spread over the buckets (not all in one).
  std::vector<int> used(64, 0);
  for (uint32_t item = 0; item < 1000; ++item) used[item_bucket(item, 64)] = 1;
  int n = 0;
  for (int u : used) n += u;
  EXPECT_GT(n, 55);
}

TEST(ItemFeatures, CountsPerBucketSortedAndRangeRespected) {
  const std::vector<uint32_t> items = {3, 9, 3, 3, 5};
  UserChunk c = chunk_of(items);
  SparseRows rows;
  std::vector<uint32_t> scratch;
  append_item_counts(c, 0, EventRange{0, 4}, 1u << 20, &scratch, &rows);  // the last event is out
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows.nnz(0), 2u);
  EXPECT_LT(rows.index[0], rows.index[1]);
  float count3 = rows.index[0] == item_bucket(3, 1u << 20) ? rows.value[0] : rows.value[1];
  EXPECT_EQ(count3, 3.0f);
  EXPECT_THROW(append_item_counts(c, 0, EventRange{0, 6}, 8, &scratch, &rows), Error);
}

TEST(ItemFeatures, TfIdfIsUnitNormAndFavoursRareBuckets) {
  SparseRows rows;
  rows.index = {0, 1, 1};
  rows.value = {1, 1, 2};
  rows.offsets = {0, 2, 3, 3};  // the third row is empty
  std::vector<double> df(2, 0.0);
  add_document_frequency(rows, df.data());
  EXPECT_EQ(df[0], 1.0);
  EXPECT_EQ(df[1], 2.0);
  const std::vector<double> idf = idf_from_counts(df, 3.0);
  EXPECT_NEAR(idf[0], std::log(4.0 / 2.0) + 1.0, 1e-12);
  EXPECT_NEAR(idf[1], std::log(4.0 / 3.0) + 1.0, 1e-12);
  apply_tfidf(idf, &rows);
  EXPECT_NEAR(rows.value[0] * rows.value[0] + rows.value[1] * rows.value[1], 1.0, 1e-6);
  EXPECT_GT(rows.value[0], rows.value[1]);  // same count, the rarer bucket weighs more
  EXPECT_NEAR(rows.value[2], 1.0, 1e-6);
  EXPECT_EQ(rows.nnz(2), 0u);
  EXPECT_THROW(idf_from_counts(df, 0.0), Error);
  SparseRows bad;
  bad.index = {5};
  bad.value = {1};
  bad.offsets = {0, 1};
  EXPECT_THROW(apply_tfidf(idf, &bad), Error);
}

}  // namespace
}  // namespace imine

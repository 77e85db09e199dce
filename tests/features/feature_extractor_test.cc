#include "imine/features/feature_extractor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;

// Categories Action, Comedy, Drama; item 0 -> Action, item 1 -> Action+Comedy, item 2 -> Drama.
Catalog tiny_catalog() {
  Catalog cat;
  cat.category_names = {"Action", "Comedy", "Drama"};
  cat.category_offsets = {0, 1, 3, 4};
  cat.categories = {0, 0, 1, 2};
  return cat;
}

// User 77: view item0 @0d (w1), buy item1 @14d (w2), view item0 @28d (w3) | buy item2 @30d.
UserChunk tiny_chunk() {
  UserChunk c;
  c.user_ids = {77};
  c.offsets = {0, 4};
  c.items = {0, 1, 0, 2};
  c.types = {kView, kBuy, kView, kBuy};
  c.times = {kT0, kT0 + 14 * kDay, kT0 + 28 * kDay, kT0 + 30 * kDay};
  c.weights = {1.0f, 2.0f, 3.0f, 1.0f};
  c.num_attributes = 2;
  c.attributes = {1, 5};  // gender 5 is outside its cardinality 2
  return c;
}

FeatureConfig tiny_config() {
  FeatureConfig cfg;
  cfg.half_life_days = 14;
  cfg.t_ref = kT0 + 30 * kDay;
  cfg.event_types = {kView, kBuy};
  cfg.attribute_cardinalities = {3, 2};
  cfg.attribute_names = {"age", "gender"};
  return cfg;
}

TEST(FeatureExtractor, EveryBlockOfAHandBuiltUser) {
  Catalog cat = tiny_catalog();
  UserChunk c = tiny_chunk();
  FeatureExtractor fx(cat, tiny_config());
  ASSERT_EQ(fx.dim(), 4 * 3 + 6 + 5u);
  std::vector<float> row(fx.dim(), -1.0f);
  fx.extract(c, 0, EventRange{0, 3}, row.data());

  // (a) Action 1 + 1/2 + 1, Comedy 1/2, out of 3 events.
  const float* h = row.data() + fx.hist_offset();
  EXPECT_NEAR(h[0], 2.5 / 3, 1e-6);
  EXPECT_NEAR(h[1], 0.5 / 3, 1e-6);
  EXPECT_EQ(h[2], 0.0f);

  // (b) ages 30, 16 and 2 days at a 14-day half-life.
  const double w0 = std::pow(0.5, 30.0 / 14), w1 = std::pow(0.5, 16.0 / 14),
               w2 = std::pow(0.5, 2.0 / 14);
  const double total = w0 + w1 + w2;
  const float* r = row.data() + fx.recency_offset();
  EXPECT_NEAR(r[0], (w0 + 0.5 * w1 + w2) / total, 1e-6);
  EXPECT_NEAR(r[1], 0.5 * w1 / total, 1e-6);
  EXPECT_EQ(r[2], 0.0f);

  // (c) per type, divided by all 3 input events.
  const float* view = row.data() + fx.type_offset(0);
  const float* buy = row.data() + fx.type_offset(1);
  EXPECT_NEAR(view[0], 2.0 / 3, 1e-6);
  EXPECT_EQ(view[1], 0.0f);
  EXPECT_NEAR(buy[0], 0.5 / 3, 1e-6);
  EXPECT_NEAR(buy[1], 0.5 / 3, 1e-6);
  EXPECT_EQ(buy[2], 0.0f);

  // (d) 3 events, 2 items, 28-day span, 2 days since the last one, 2 categories, mean weight 2.
  const float* a = row.data() + fx.activity_offset();
  EXPECT_NEAR(a[0], std::log1p(3.0), 1e-6);
  EXPECT_NEAR(a[1], std::log1p(2.0), 1e-6);
  EXPECT_NEAR(a[2], std::log1p(28.0), 1e-6);
  EXPECT_NEAR(a[3], std::log1p(2.0), 1e-6);
  EXPECT_NEAR(a[4], std::log1p(2.0), 1e-6);
  EXPECT_NEAR(a[5], 2.0, 1e-6);

  // (e) age 1 of 3 one-hot, gender out of range -> zeros.
  const float* at = row.data() + fx.attribute_offset();
  EXPECT_EQ(at[0], 0.0f);
  EXPECT_EQ(at[1], 1.0f);
  EXPECT_EQ(at[2], 0.0f);
  EXPECT_EQ(at[3], 0.0f);
  EXPECT_EQ(at[4], 0.0f);
}

TEST(FeatureExtractor, NamesTargetsAndInputCategories) {
  Catalog cat = tiny_catalog();
  UserChunk c = tiny_chunk();
  FeatureExtractor fx(cat, tiny_config());
  std::vector<std::string> names = fx.feature_names();
  ASSERT_EQ(names.size(), fx.dim());
  EXPECT_EQ(names[0], "hist/Action");
  EXPECT_EQ(names[fx.recency_offset() + 1], "recency/Comedy");
  EXPECT_EQ(names[fx.type_offset(1)], "type/buy/Action");
  EXPECT_EQ(names[fx.activity_offset()], "activity/log_events");
  EXPECT_EQ(names[fx.activity_offset() + 5], "activity/mean_weight");
  EXPECT_EQ(names[fx.attribute_offset() + 2], "attr/age/2");
  EXPECT_EQ(names.back(), "attr/gender/1");

  std::vector<uint8_t> t(3, 9), in(3, 9);
  fx.targets(c, 0, EventRange{3, 4}, t.data());
  EXPECT_EQ(t, (std::vector<uint8_t>{0, 0, 1}));
  fx.input_categories(c, 0, EventRange{0, 3}, in.data());
  EXPECT_EQ(in, (std::vector<uint8_t>{1, 1, 0}));
}

TEST(FeatureExtractor, EmptyWindowAndDistinctItemsResetBetweenUsers) {
  Catalog cat = tiny_catalog();
  UserChunk c = tiny_chunk();
  FeatureExtractor fx(cat, tiny_config());
  std::vector<float> row(fx.dim());
  fx.extract(c, 0, EventRange{0, 3}, row.data());
  fx.extract(c, 0, EventRange{1, 2}, row.data());
  // Item 1 alone: a second call must not remember items of the first.
  EXPECT_NEAR(row[fx.activity_offset() + 1], std::log1p(1.0), 1e-6);
  EXPECT_NEAR(row[0], 0.5, 1e-6);

  fx.extract(c, 0, EventRange{0, 0}, row.data());
  for (size_t i = 0; i < fx.attribute_offset(); ++i) EXPECT_EQ(row[i], 0.0f) << i;
  EXPECT_EQ(row[fx.attribute_offset() + 1], 1.0f);
}

TEST(FeatureExtractor, RecencyStaysNormalisedForLongInactiveUsers) {
  Catalog cat = tiny_catalog();
  UserChunk c = tiny_chunk();
  FeatureConfig cfg = tiny_config();
  cfg.t_ref = kT0 + 60 * 365 * kDay;  // ~1560 half-lives: 0.5^age underflows a double
  FeatureExtractor fx(cat, cfg);
  std::vector<float> row(fx.dim());
  fx.extract(c, 0, EventRange{0, 3}, row.data());
  const float* r = row.data() + fx.recency_offset();
  EXPECT_NEAR(r[0] + r[1] + r[2], 1.0, 1e-6);
  EXPECT_GT(r[0], r[1]);
  EXPECT_NEAR(row[fx.activity_offset() + 3], std::log1p(60.0 * 365 - 28), 1e-4);
}

TEST(FeatureExtractor, RejectsBadInput) {
  Catalog cat = tiny_catalog();
  UserChunk c = tiny_chunk();
  FeatureExtractor fx(cat, tiny_config());
  std::vector<float> row(fx.dim());
  c.items[1] = 3;  // catalog has 3 items
  EXPECT_THROW(fx.extract(c, 0, EventRange{0, 3}, row.data()), Error);
  c = tiny_chunk();
  EXPECT_THROW(fx.extract(c, 0, EventRange{0, 5}, row.data()), Error);
  c.num_attributes = 1;
  c.attributes = {1};
  EXPECT_THROW(fx.extract(c, 0, EventRange{0, 3}, row.data()), Error);

  FeatureConfig cfg = tiny_config();
  cfg.event_types = {kView, kView};
  EXPECT_THROW(FeatureExtractor(cat, cfg), Error);
  cfg = tiny_config();
  cfg.half_life_days = 0;
  EXPECT_THROW(FeatureExtractor(cat, cfg), Error);
}

}  // namespace
}  // namespace imine

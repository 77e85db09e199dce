#include "imine/features/split.h"

#include <gtest/gtest.h>

#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

// One user per entry of `times`, with events at those times.
UserChunk chunk_with(const std::vector<std::vector<int64_t>>& times) {
  UserChunk c;
  c.offsets.assign(1, 0);
  uint64_t id = 100;
  for (const auto& user : times) {
    c.user_ids.push_back(id++);
    for (int64_t t : user) {
      c.items.push_back(0);
      c.types.push_back(kView);
      c.times.push_back(t);
      c.weights.push_back(1.0f);
    }
    c.offsets.push_back(c.items.size());
  }
  return c;
}

TEST(Subset, FractionsWithinOnePercentOver100kIds) {
  size_t counts[3] = {0, 0, 0};
  const size_t n = 100000;
  for (uint64_t id = 0; id < n; ++id) counts[static_cast<int>(subset_of(id * 7919 + 3, 42))]++;
  EXPECT_NEAR(counts[static_cast<int>(Subset::kTrain)] / double(n), 0.8, 0.01);
  EXPECT_NEAR(counts[static_cast<int>(Subset::kValidation)] / double(n), 0.1, 0.01);
  EXPECT_NEAR(counts[static_cast<int>(Subset::kTest)] / double(n), 0.1, 0.01);
}

TEST(Subset, DeterministicPerKeyAndKeyed) {
  size_t moved = 0;
  for (uint64_t id = 0; id < 1000; ++id) {
    EXPECT_EQ(subset_of(id, 1, 0.2, 0.3), subset_of(id, 1, 0.2, 0.3));
    moved += subset_of(id, 1, 0.2, 0.3) != subset_of(id, 2, 0.2, 0.3);
  }
  // Two keys assign independently: about 1 - (0.5^2 + 0.2^2 + 0.3^2) = 62% differ.
  EXPECT_GT(moved, 500u);
  EXPECT_LT(moved, 740u);
  for (uint64_t id = 0; id < 1000; ++id) EXPECT_EQ(subset_of(id, 9, 0.0, 0.0), Subset::kTrain);
  EXPECT_THROW(subset_of(1, 1, 0.6, 0.5), Error);
  EXPECT_THROW(subset_of(1, 1, -0.1, 0.1), Error);
}

TEST(TimeSplit, PerUserFraction) {
  UserChunk c = chunk_with({{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {5, 6}, {5}, {}, {1, 2, 3}});
  TimeSplitConfig cfg;  // per-user, 0.2
  cfg.validate();
  TimeSplit s = split_user(c, 0, cfg);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.input.begin, 0u);
  EXPECT_EQ(s.input.end, 8u);
  EXPECT_EQ(s.target.begin, 8u);
  EXPECT_EQ(s.target.end, 10u);

  s = split_user(c, 1, cfg);  // round(0.4) = 0 -> at least one target event
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.input.size(), 1u);
  EXPECT_EQ(s.target.size(), 1u);
  EXPECT_EQ(s.target.begin, 11u);

  EXPECT_EQ(split_user(c, 2, cfg).skip, SkipReason::kTooFewEvents);
  EXPECT_EQ(split_user(c, 3, cfg).skip, SkipReason::kNoEvents);

  s = split_user(c, 4, cfg);  // round(0.6) = 1
  EXPECT_EQ(s.input.size(), 2u);
  EXPECT_EQ(s.target.size(), 1u);

  cfg.target_fraction = 0.8;  // two events, round(1.6) = 2: nothing left as input
  EXPECT_EQ(split_user(c, 1, cfg).skip, SkipReason::kEmptyInput);
}

TEST(TimeSplit, GlobalCutoffAndHorizon) {
  UserChunk c = chunk_with({{10, 20, 30, 40}});
  TimeSplitConfig cfg;
  cfg.mode = SplitMode::kCutoff;
  cfg.cutoff = 25;
  TimeSplit s = split_user(c, 0, cfg);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.input.end, 2u);
  EXPECT_EQ(s.target.begin, 2u);
  EXPECT_EQ(s.target.end, 4u);

  cfg.horizon = 35;
  s = split_user(c, 0, cfg);
  EXPECT_EQ(s.target.end, 3u);

  cfg.cutoff = 20;  // an event exactly at the cutoff is a target event
  cfg.horizon = 1000;
  s = split_user(c, 0, cfg);
  EXPECT_EQ(s.input.end, 1u);
  EXPECT_EQ(s.target.begin, 1u);

  cfg.cutoff = 10;
  EXPECT_EQ(split_user(c, 0, cfg).skip, SkipReason::kEmptyInput);
  cfg.cutoff = 41;
  EXPECT_EQ(split_user(c, 0, cfg).skip, SkipReason::kEmptyTarget);
  cfg.cutoff = 25;
  cfg.horizon = 30;  // the target window [25, 30) holds nothing
  EXPECT_EQ(split_user(c, 0, cfg).skip, SkipReason::kEmptyTarget);
}

TEST(TimeSplit, AllModeAndConfigChecks) {
  UserChunk c = chunk_with({{1, 2, 3}, {}});
  TimeSplitConfig cfg;
  cfg.mode = SplitMode::kAll;
  TimeSplit s = split_user(c, 0, cfg);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.input.size(), 3u);
  EXPECT_TRUE(s.target.empty());
  EXPECT_EQ(split_user(c, 1, cfg).skip, SkipReason::kNoEvents);

  TimeSplitConfig bad;
  bad.target_fraction = 1.0;
  EXPECT_THROW(bad.validate(), Error);
  bad.target_fraction = 0.0;
  EXPECT_THROW(bad.validate(), Error);
  bad.mode = SplitMode::kCutoff;
  bad.cutoff = 50;
  bad.horizon = 50;
  EXPECT_THROW(bad.validate(), Error);
  EXPECT_STREQ(skip_reason_name(SkipReason::kEmptyTarget), "empty_target");
}

}  // namespace
}  // namespace imine

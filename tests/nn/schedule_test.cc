#include "imine/nn/schedule.h"

#include <gtest/gtest.h>

#include "imine/util/error.h"

namespace imine {
namespace {

TEST(LrSchedule, WarmupThenCosineToFloor) {
  const LrSchedule s(ScheduleConfig{2.0f, 10, 110, 0.1f});
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.2f);  // warmup start: one tenth of the peak
  EXPECT_FLOAT_EQ(s.lr_at(4), 1.0f);
  EXPECT_FLOAT_EQ(s.lr_at(9), 2.0f);                 // warmup end
  EXPECT_FLOAT_EQ(s.lr_at(10), 2.0f);                // cosine start
  EXPECT_FLOAT_EQ(s.lr_at(60), 0.2f + 1.8f * 0.5f);  // half way through the decay
  EXPECT_NEAR(s.lr_at(35), 0.2 + 1.8 * 0.5 * (1 + 0.70710678), 1e-6);
  EXPECT_GT(s.lr_at(109), 0.2f);
  EXPECT_LT(s.lr_at(109), 0.201f);
  EXPECT_FLOAT_EQ(s.lr_at(110), 0.2f);
  EXPECT_FLOAT_EQ(s.lr_at(100000), 0.2f);
  for (int64_t t = 10; t < 110; ++t) EXPECT_LE(s.lr_at(t + 1), s.lr_at(t));
}

TEST(LrSchedule, NoWarmupStartsAtPeak) {
  const LrSchedule s(ScheduleConfig{0.5f, 0, 4, 0.0f});
  EXPECT_FLOAT_EQ(s.lr_at(0), 0.5f);
  EXPECT_FLOAT_EQ(s.lr_at(2), 0.25f);
  EXPECT_FLOAT_EQ(s.lr_at(4), 0.0f);
}

TEST(LrSchedule, RejectsBadConfig) {
  EXPECT_THROW(LrSchedule(ScheduleConfig{0.0f, 0, 10, 0.0f}), Error);
  EXPECT_THROW(LrSchedule(ScheduleConfig{1.0f, 11, 10, 0.0f}), Error);
  EXPECT_THROW(LrSchedule(ScheduleConfig{1.0f, 0, 0, 0.0f}), Error);
  EXPECT_THROW(LrSchedule(ScheduleConfig{1.0f, 0, 10, 1.5f}), Error);
}

}  // namespace
}  // namespace imine

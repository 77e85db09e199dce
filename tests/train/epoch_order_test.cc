#include "imine/train/epoch_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace imine {
namespace {

std::vector<uint64_t> step_ids(const EpochOrder& o, const std::vector<uint64_t>& ids, int64_t s) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < o.step_size(s); ++i) out.push_back(ids[o.step_begin(s)[i]]);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(EpochOrder, EveryUserOncePerEpochAndBatchesNearTarget) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 10000; ++i) ids.push_back(i * 7919 + 13);
  int64_t steps = steps_per_epoch(10000, 100);
  EXPECT_EQ(steps, 100);
  EpochOrder o(ids, 1, steps);
  o.start_epoch(0);
  std::set<uint64_t> seen;
  for (int64_t s = 0; s < steps; ++s) {
    EXPECT_GT(o.step_size(s), 50u);
    EXPECT_LT(o.step_size(s), 150u);
    for (uint64_t id : step_ids(o, ids, s)) EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_EQ(seen.size(), ids.size());
}

TEST(EpochOrder, SplittingUsersAcrossRanksGivesTheSameGlobalSteps) {
  std::vector<uint64_t> all, a, b;
  for (uint64_t i = 0; i < 3000; ++i) {
    all.push_back(i * 31 + 5);
    (i % 3 == 0 ? a : b).push_back(i * 31 + 5);
  }
  int64_t steps = steps_per_epoch(3000, 64);
  EpochOrder whole(all, 9, steps), ra(a, 9, steps), rb(b, 9, steps);
  for (int64_t epoch : {0, 3}) {
    whole.start_epoch(epoch);
    ra.start_epoch(epoch);
    rb.start_epoch(epoch);
    for (int64_t s = 0; s < steps; ++s) {
      auto merged = step_ids(ra, a, s);
      auto second = step_ids(rb, b, s);
      merged.insert(merged.end(), second.begin(), second.end());
      std::sort(merged.begin(), merged.end());
      EXPECT_EQ(merged, step_ids(whole, all, s)) << "epoch " << epoch << " step " << s;
    }
  }
}

TEST(EpochOrder, EpochsDiffer) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 1000; ++i) ids.push_back(i);
  EpochOrder o(ids, 1, 10);
  o.start_epoch(0);
  auto first = step_ids(o, ids, 0);
  o.start_epoch(1);
  EXPECT_NE(first, step_ids(o, ids, 0));
}

TEST(EpochOrder, EmptyRankHasEmptySteps) {
  std::vector<uint64_t> none;
  EpochOrder o(none, 1, 5);
  o.start_epoch(0);
  for (int64_t s = 0; s < 5; ++s) EXPECT_EQ(o.step_size(s), 0u);
}

}  // namespace
}  // namespace imine

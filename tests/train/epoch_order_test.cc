#include "imine/train/epoch_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "imine/util/rng.h"

namespace imine {
namespace {

std::vector<uint64_t> step_ids(EpochOrder& o, const std::vector<uint64_t>& ids, int64_t s) {
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

// The whole epoch sorted at once (key, then id; position only for a repeated id), as the order was
// built before windows: every window size must give exactly these steps, in this order.
std::vector<std::vector<uint32_t>> reference_steps(const std::vector<uint64_t>& ids, uint64_t seed,
                                                   int64_t epoch, int64_t steps) {
  std::vector<uint32_t> order(ids.size());
  std::vector<uint64_t> keys(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    order[i] = static_cast<uint32_t>(i);
    keys[i] = hash_keys(seed, kStreamEpochOrder, static_cast<uint64_t>(epoch), ids[i]);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return ids[a] != ids[b] ? ids[a] < ids[b] : a < b;
  });
  std::vector<std::vector<uint32_t>> out(static_cast<size_t>(steps));
  for (uint32_t i : order) {
    auto s = static_cast<size_t>((static_cast<unsigned __int128>(keys[i]) * uint64_t(steps)) >> 64);
    out[s].push_back(i);
  }
  return out;
}

std::vector<uint32_t> step_list(EpochOrder& o, int64_t s) {
  return std::vector<uint32_t>(o.step_begin(s), o.step_begin(s) + o.step_size(s));
}

TEST(EpochOrder, EveryWindowSizeGivesTheWholeEpochOrder) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 5000; ++i) ids.push_back((i * 2654435761u) % 100003);
  ids.push_back(ids[7]);  // a duplicate id: the tie-break must still order it
  const int64_t steps = steps_per_epoch(static_cast<int64_t>(ids.size()), 50);
  for (int64_t epoch : {0, 2}) {
    const auto ref = reference_steps(ids, 4, epoch, steps);
    for (size_t window_users : {size_t{1}, size_t{37}, size_t{500}, size_t{1} << 20}) {
      EpochOrder o(ids, 4, steps, window_users);
      o.start_epoch(epoch);
      if (window_users == 1) {
        EXPECT_EQ(o.window_steps(), 1);
      }
      if (window_users == (size_t{1} << 20)) {
        EXPECT_EQ(o.window_steps(), steps);
      }
      for (int64_t s = 0; s < steps; ++s)
        ASSERT_EQ(step_list(o, s), ref[static_cast<size_t>(s)])
            << "window_users " << window_users << " epoch " << epoch << " step " << s;
    }
  }
}

TEST(EpochOrder, ResumingMidEpochAndGoingBackGiveTheSameSteps) {
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 4000; ++i) ids.push_back(i * 97 + 1);
  const int64_t steps = steps_per_epoch(4000, 40);
  const auto ref = reference_steps(ids, 3, 1, steps);
  EpochOrder o(ids, 3, steps, 300);
  ASSERT_LT(o.window_steps(), steps);
  o.start_epoch(1);
  for (int64_t s : {int64_t{57}, int64_t{58}, steps - 1, int64_t{0}, int64_t{13}})
    EXPECT_EQ(step_list(o, s), ref[static_cast<size_t>(s)]) << "step " << s;
}

}  // namespace
}  // namespace imine

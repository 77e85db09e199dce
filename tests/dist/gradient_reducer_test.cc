#include "imine/dist/gradient_reducer.h"

#include <gtest/gtest.h>

#include "imine/dist/communicator.h"

namespace imine {
namespace {

TEST(GradientReducer, BucketsFollowLayerBoundariesFromTheEnd) {
  Communicator c = Communicator::world();
  std::vector<float> g(100, 1.0f);
  // Layers [0,40) [40,70) [70,90) [90,100); budget 50 floats.
  GradientReducer r(c, g.data(), g.size(), {40, 70, 90}, 50 * sizeof(float));
  ASSERT_EQ(r.num_buckets(), 3u);
  EXPECT_EQ(r.bucket(0), (std::pair<size_t, size_t>{70, 100}));
  EXPECT_EQ(r.bucket(1), (std::pair<size_t, size_t>{40, 70}));
  EXPECT_EQ(r.bucket(2), (std::pair<size_t, size_t>{0, 40}));
}

TEST(GradientReducer, OversizedLayerIsSplitAndEverythingIsCovered) {
  Communicator c = Communicator::world();
  std::vector<float> g(100, 2.0f);
  GradientReducer r(c, g.data(), g.size(), {10}, 30 * sizeof(float));
  size_t covered = 0, prev_begin = 100;
  for (size_t i = 0; i < r.num_buckets(); ++i) {
    auto [b, e] = r.bucket(i);
    EXPECT_EQ(e, prev_begin);
    EXPECT_LE(e - b, 30u);
    covered += e - b;
    prev_begin = b;
  }
  EXPECT_EQ(covered, 100u);
  EXPECT_EQ(prev_begin, 0u);
  r.begin_step();
  r.ready_from(50);
  r.finish();
  for (float v : g) EXPECT_EQ(v, 2.0f);  // one rank: the sum is the value
}

}  // namespace
}  // namespace imine

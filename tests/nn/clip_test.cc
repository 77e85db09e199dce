#include "imine/nn/clip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace imine {
namespace {

TEST(ClipGradNorm, ScalesOnlyAboveTheLimit) {
  std::vector<float> g = {3.0f, 4.0f};
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.data(), g.size(), 1.0f), 5.0);
  EXPECT_FLOAT_EQ(g[0], 0.6f);
  EXPECT_FLOAT_EQ(g[1], 0.8f);

  g = {3.0f, 4.0f};
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.data(), g.size(), 10.0f), 5.0);
  EXPECT_EQ(g, (std::vector<float>{3.0f, 4.0f}));
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.data(), g.size(), 0.0f), 5.0);  // no clipping
  EXPECT_EQ(g, (std::vector<float>{3.0f, 4.0f}));
  EXPECT_DOUBLE_EQ(clip_grad_norm(g.data(), 0, 1.0f), 0.0);
}

TEST(ClipGradNorm, NonFiniteNormLeavesGradsForTheCaller) {
  std::vector<float> g = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_TRUE(std::isnan(clip_grad_norm(g.data(), g.size(), 1.0f)));
  EXPECT_EQ(g[0], 1.0f);
}

}  // namespace
}  // namespace imine

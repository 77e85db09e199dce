#include "imine/privacy/gaussian_noise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace imine {
namespace {

std::vector<float> draw(const NoiseKey& k, uint64_t step, uint64_t slice, size_t n, double sd) {
  std::vector<float> v(n, 0.0f);
  add_gaussian_noise(k, step, slice, sd, v.data(), n);
  return v;
}

TEST(GaussianNoise, SameKeyStepAndSliceGiveTheSameNumbers) {
  const NoiseKey k = seeded_noise_key(9);
  EXPECT_EQ(seeded_noise_key(9), k);
  EXPECT_NE(seeded_noise_key(10), k);
  const auto a = draw(k, 3, 1, 200001, 1.0);  // odd and over one 65536-value chunk
  EXPECT_EQ(draw(k, 3, 1, 200001, 1.0), a);
  EXPECT_NE(draw(k, 4, 1, 200001, 1.0), a);
  EXPECT_NE(draw(k, 3, 2, 200001, 1.0), a);
  // A prefix is the same numbers: a tensor's noise does not depend on what follows it.
  const auto b = draw(k, 3, 1, 1001, 1.0);
  for (size_t i = 0; i < b.size(); ++i) ASSERT_EQ(a[i], b[i]);
}

TEST(GaussianNoise, MomentsOfTheNormal) {
  const double sd = 2.5;
  const auto v = draw(seeded_noise_key(1), 0, 0, 400000, sd);
  double s = 0, s2 = 0, s4 = 0;
  for (float x : v) {
    s += x;
    s2 += double(x) * x;
    s4 += double(x) * x * x * x;
  }
  const double n = v.size(), mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5 * sd / std::sqrt(n));
  EXPECT_NEAR(var, sd * sd, 0.02 * sd * sd);
  EXPECT_NEAR(s4 / n / (var * var), 3.0, 0.05);  // kurtosis of a normal
}

TEST(GaussianNoise, FreshKeysDiffer) { EXPECT_NE(fresh_noise_key(), fresh_noise_key()); }

TEST(GaussianNoise, AddsToTheData) {
  std::vector<float> v(10, 100.0f);
  add_gaussian_noise(seeded_noise_key(2), 0, 0, 0.0, v.data(), v.size());
  for (float x : v) EXPECT_EQ(x, 100.0f);
  add_gaussian_noise(seeded_noise_key(2), 0, 0, 1.0, v.data(), v.size());
  const auto n = draw(seeded_noise_key(2), 0, 0, 10, 1.0);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_FLOAT_EQ(v[i], 100.0f + n[i]);
}

}  // namespace
}  // namespace imine

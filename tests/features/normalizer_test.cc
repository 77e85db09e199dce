#include "imine/features/normalizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

TEST(NormStats, MeanStdAndApplyByHand) {
  NormStats s(3);
  const float a[3] = {1, 5, 2}, b[3] = {3, 5, 4};
  s.add(a);
  s.add(b);
  s.finalize();
  EXPECT_EQ(s.mean(), (std::vector<double>{2, 5, 3}));
  EXPECT_EQ(s.stddev(), (std::vector<double>{1, 1, 1}));  // middle one is constant
  float row[3] = {1, 5, 2};
  s.apply(row);
  EXPECT_FLOAT_EQ(row[0], -1);
  EXPECT_FLOAT_EQ(row[1], 0);
  EXPECT_FLOAT_EQ(row[2], -1);
}

TEST(NormStats, MergedHalvesEqualWhole) {
  const size_t dim = 7, n = 1000;
  Rng rng(3, kStreamBench);
  std::vector<float> rows(n * dim);
  for (float& x : rows) x = static_cast<float>(rng.normal() * 3 + 1);
  NormStats whole(dim), first(dim), second(dim), via_raw(dim);
  for (size_t i = 0; i < n; ++i) {
    whole.add(&rows[i * dim]);
    (i < n / 2 ? first : second).add(&rows[i * dim]);
  }
  // The trainer's path: sum the raw accumulators (as MPI_Allreduce would) and set them back.
  std::vector<double> summed = first.raw();
  for (size_t j = 0; j < summed.size(); ++j) summed[j] += second.raw()[j];
  via_raw.set_raw(summed);
  first.merge(second);
  whole.finalize();
  first.finalize();
  via_raw.finalize();
  EXPECT_EQ(first.count(), 1000.0);
  for (size_t d = 0; d < dim; ++d) {
    EXPECT_NEAR(first.mean()[d], whole.mean()[d], 1e-12);
    EXPECT_NEAR(first.stddev()[d], whole.stddev()[d], 1e-12);
    EXPECT_EQ(via_raw.mean()[d], first.mean()[d]);
    EXPECT_EQ(via_raw.stddev()[d], first.stddev()[d]);
    EXPECT_NEAR(whole.stddev()[d], 3.0, 0.3);
  }
}

TEST(NormStats, ConstantFeatureDespiteCancellationAndStdFloor) {
  NormStats s(2);
  for (int i = 0; i < 1000; ++i) {
    const float row[2] = {0.1f, i % 2 ? 1e-9f : 0.0f};
    s.add(row);
  }
  s.finalize();
  EXPECT_EQ(s.stddev()[0], 1.0);   // sum_sq/n - mean^2 is not exactly 0 here
  EXPECT_EQ(s.stddev()[1], 1e-6);  // real spread of 5e-10, floored
}

TEST(NormStats, RestoreAndMisuse) {
  NormStats s(2);
  float row[2] = {3, 4};
  EXPECT_THROW(s.apply(row), Error);
  EXPECT_THROW(s.finalize(), Error);
  s.restore({1, 2}, {2, 4});
  s.apply(row);
  EXPECT_FLOAT_EQ(row[0], 1.0f);
  EXPECT_FLOAT_EQ(row[1], 0.5f);
  EXPECT_THROW(s.restore({1}, {1}), Error);
  EXPECT_THROW(s.restore({1, 2}, {1, 0}), Error);
  EXPECT_THROW(s.set_raw({1, 2}), Error);
  NormStats other(3);
  EXPECT_THROW(s.merge(other), Error);
}

}  // namespace
}  // namespace imine

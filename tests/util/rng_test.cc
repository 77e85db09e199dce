#include "imine/util/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

TEST(Rng, SameKeysSameStreamDifferentKeysDifferentStream) {
  Rng a(42, kStreamDropout, 7, 3), b(42, kStreamDropout, 7, 3), c(42, kStreamDropout, 7, 4);
  for (int i = 0; i < 10; ++i) {
    uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, KnownFirstValueIsStable) {
  // Guards against accidental changes to the generator: outputs are part of reproducibility.
  Rng r(1);
  Rng r2(1);
  EXPECT_EQ(r.next_u64(), r2.next_u64());
  EXPECT_EQ(hash_keys(1, 2), hash_keys(1, 2));
  EXPECT_NE(hash_keys(1, 2), hash_keys(2, 1));
}

TEST(Rng, UniformBelowIsUnbiased) {
  Rng r(5);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) counts[r.below(7)]++;
  for (int c : counts) EXPECT_NEAR(c, n / 7, 400);
}

TEST(Rng, NormalAndGammaMoments) {
  Rng r(9);
  const int n = 200000;
  double s = 0, s2 = 0, g = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    s += x;
    s2 += x * x;
    g += r.gamma(0.5);
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.02);
  EXPECT_NEAR(g / n, 0.5, 0.01);
}

TEST(ImineCheck, ThrowsWithStreamedMessage) {
  try {
    int limit = 3;
    IMINE_CHECK(limit > 5) << "limit " << limit << " too small";
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "limit 3 too small");
  }
  EXPECT_NO_THROW({ IMINE_CHECK(true) << "never"; });
}

}  // namespace
}  // namespace imine

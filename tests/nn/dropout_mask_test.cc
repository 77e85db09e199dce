// The counter-based dropout masks: the vectorised blocks against the scalar definition, the
// drop rate and independence of units, and the keying the np-equivalence relies on.
#include "imine/nn/dropout_mask.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "imine/nn/gemm.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"

namespace imine {
namespace {

// Rows around the 16-unit block size, and the hidden widths of the standard configs.
const int64_t kRows[] = {0, 1, 2, 15, 16, 17, 31, 32, 33, 70, 256, 1023, 1024};

TEST(DropoutMask, BlocksMatchTheScalarDefinition) {
  const DropoutMask d(0.3f);
  for (int64_t rows : kRows) {
    for (uint64_t sample = 0; sample < 5; ++sample) {
      const uint64_t key = DropoutMask::column_key(9, 1000 + sample, 4, 2);
      std::vector<float> mask(rows + 1, -1.0f);
      d.fill(key, mask.data(), rows);
      for (int64_t i = 0; i < rows; ++i) {
        ASSERT_EQ(mask[i], d.keep(key, i) ? d.scale() : 0.0f) << "rows " << rows << " unit " << i;
      }
      EXPECT_EQ(mask[rows], -1.0f) << "fill wrote past rows " << rows;
    }
  }
}

TEST(DropoutMask, UnitBitsAreSplitMix64Halves) {
  // Output m of SplitMix64 seeded with k is mix64(k + m * golden); unit 2m takes its low half.
  const uint64_t key = 0x0123456789abcdefULL;
  for (int64_t m = 0; m < 40; ++m) {
    const uint64_t h = mix64(key + static_cast<uint64_t>(m) * 0x9e3779b97f4a7c15ULL);
    EXPECT_EQ(DropoutMask::unit_bits(key, 2 * m), static_cast<uint32_t>(h));
    EXPECT_EQ(DropoutMask::unit_bits(key, 2 * m + 1), static_cast<uint32_t>(h >> 32));
  }
}

TEST(DropoutMask, ApplyIsTheProductWithTheMask) {
  const DropoutMask d(0.25f);
  for (int64_t rows : kRows) {
    const uint64_t key = DropoutMask::column_key(1, 77, 8, 0);
    std::vector<float> x(rows), mask(rows);
    for (int64_t i = 0; i < rows; ++i) x[i] = 0.1f * static_cast<float>(i % 13) - 0.3f;
    d.fill(key, mask.data(), rows);
    std::vector<float> y = x;
    d.apply(key, y.data(), rows);
    for (int64_t i = 0; i < rows; ++i) ASSERT_EQ(y[i], x[i] * mask[i]) << rows << " " << i;
    // bf16: widen, multiply by the same factor, round as to_bf16 does.
    std::vector<uint16_t> b(rows), want(rows);
    to_bf16(x.data(), b.data(), rows);
    std::vector<float> wide(rows);
    for (int64_t i = 0; i < rows; ++i) {
      const uint32_t u = static_cast<uint32_t>(b[i]) << 16;
      std::memcpy(&wide[i], &u, sizeof(float));
      wide[i] *= mask[i];
    }
    to_bf16(wide.data(), want.data(), rows);
    d.apply_bf16(key, b.data(), rows);
    EXPECT_EQ(b, want) << "rows " << rows;
  }
}

TEST(DropoutMask, DropsAtRateInEveryLanePosition) {
  // A wrong lane order or half would show as a rate off in some position of the 16-unit block.
  for (float p : {0.1f, 0.5f, 0.9f}) {
    const DropoutMask d(p);
    const int64_t rows = 1024, cols = 400;
    std::vector<double> dropped(16, 0.0);
    double both = 0.0, pairs = 0.0;
    std::vector<float> m(rows);
    for (int64_t j = 0; j < cols; ++j) {
      d.fill(DropoutMask::column_key(3, j, 11, 1), m.data(), rows);
      for (int64_t i = 0; i < rows; ++i) {
        dropped[i % 16] += m[i] == 0.0f;
        if (i + 1 < rows) {
          both += m[i] == 0.0f && m[i + 1] == 0.0f;
          pairs += 1;
        }
      }
    }
    const double n = static_cast<double>(rows / 16 * cols);
    const double sd = std::sqrt(p * (1 - p) / n);
    for (int l = 0; l < 16; ++l)
      EXPECT_NEAR(dropped[l] / n, p, 5 * sd) << "p " << p << " lane " << l;
    // Neighbouring units (the two halves of one hash, and across hashes) are independent.
    const double sd2 = std::sqrt(p * p * (1 - p * p) / pairs);
    EXPECT_NEAR(both / pairs, static_cast<double>(p) * p, 5 * sd2) << "p " << p;
  }
}

TEST(DropoutMask, ThresholdAndScale) {
  EXPECT_EQ(DropoutMask(0.0f).threshold(), 0u);
  EXPECT_EQ(DropoutMask(0.5f).threshold(), 1u << 31);
  EXPECT_EQ(DropoutMask(0.1f).threshold(),
            static_cast<uint32_t>(std::llround(static_cast<double>(0.1f) * 4294967296.0)));
  EXPECT_EQ(DropoutMask(0.3f).scale(), 1.0f / (1.0f - 0.3f));
  // p = 0 keeps every unit unscaled.
  const DropoutMask none(0.0f);
  std::vector<float> m(100);
  none.fill(DropoutMask::column_key(1, 2, 3, 4), m.data(), 100);
  for (float v : m) EXPECT_EQ(v, 1.0f);
  EXPECT_THROW(DropoutMask(1.0f), Error);
  EXPECT_THROW(DropoutMask(-0.1f), Error);
}

TEST(DropoutMask, KeyedBySeedSampleStepAndLayer) {
  const DropoutMask d(0.5f);
  auto mask = [&](uint64_t seed, uint64_t sample, uint64_t step, uint64_t layer) {
    std::vector<float> m(256);
    d.fill(DropoutMask::column_key(seed, sample, step, layer), m.data(), 256);
    return m;
  };
  const auto base = mask(1, 2, 3, 4);
  EXPECT_EQ(mask(1, 2, 3, 4), base);
  EXPECT_NE(mask(2, 2, 3, 4), base);
  EXPECT_NE(mask(1, 3, 3, 4), base);
  EXPECT_NE(mask(1, 2, 4, 4), base);
  EXPECT_NE(mask(1, 2, 3, 5), base);
}

}  // namespace
}  // namespace imine

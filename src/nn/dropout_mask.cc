#include "imine/nn/dropout_mask.h"

#include <cmath>
#include <cstring>

#include "imine/nn/gemm.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/rng.h"

namespace imine {

namespace {

// SplitMix64's increment: output m of the stream seeded with k is mix64(k + m * kGolden).
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
constexpr int64_t kBlock = 16;  // units per block: 8 hashes, two units each

// Calls op(i, factor) for i < rows, factor = keep(i) ? scale : 0. Full blocks compute their 8
// hashes into a small array first and then run one compare-and-select over 16 lanes, a shape
// the compiler vectorises; the tail uses the scalar definition.
template <typename Op>
inline void for_each_factor(uint64_t key, int64_t rows, uint32_t threshold, float scale, Op op) {
  const int64_t full = rows / kBlock * kBlock;
  for (int64_t b = 0; b < full; b += kBlock) {
    uint32_t bits[kBlock];
    const uint64_t base = key + static_cast<uint64_t>(b / 2) * kGolden;
    for (int l = 0; l < kBlock / 2; ++l) {
      const uint64_t h = mix64(base + static_cast<uint64_t>(l) * kGolden);
      bits[2 * l] = static_cast<uint32_t>(h);
      bits[2 * l + 1] = static_cast<uint32_t>(h >> 32);
    }
    float f[kBlock];
    for (int l = 0; l < kBlock; ++l) f[l] = bits[l] >= threshold ? scale : 0.0f;
    op(b, f, kBlock);
  }
  if (full < rows) {
    float f[kBlock];
    for (int64_t i = full; i < rows; ++i) {
      f[i - full] = DropoutMask::unit_bits(key, i) >= threshold ? scale : 0.0f;
    }
    op(full, f, rows - full);
  }
}

inline float bf16_to_float(uint16_t b) {
  const uint32_t u = static_cast<uint32_t>(b) << 16;
  float v;
  std::memcpy(&v, &u, sizeof(v));
  return v;
}

}  // namespace

DropoutMask::DropoutMask(float p) : p_(p) {
  IMINE_CHECK(p >= 0.0f && p < 1.0f) << "dropout probability must be in [0, 1), got " << p;
  scale_ = 1.0f / (1.0f - p);
  // p < 1 in float is at most 1 - 2^-24, so the rounded threshold stays below 2^32.
  threshold_ = static_cast<uint32_t>(std::llround(static_cast<double>(p) * 4294967296.0));
}

uint64_t DropoutMask::column_key(uint64_t seed, uint64_t sample_key, uint64_t step,
                                 uint64_t layer) {
  return hash_keys(seed, kStreamDropout, sample_key, step, layer);
}

uint32_t DropoutMask::unit_bits(uint64_t column_key, int64_t i) {
  const uint64_t h = mix64(column_key + static_cast<uint64_t>(i / 2) * kGolden);
  return static_cast<uint32_t>(i % 2 ? h >> 32 : h);
}

void DropoutMask::fill(uint64_t column_key, float* mask, int64_t rows) const {
  for_each_factor(column_key, rows, threshold_, scale_,
                  [mask](int64_t at, const float* f, int64_t n) {
                    float* __restrict m = mask + at;
                    for (int64_t l = 0; l < n; ++l) m[l] = f[l];
                  });
}

void DropoutMask::apply(uint64_t column_key, float* x, int64_t rows) const {
  for_each_factor(column_key, rows, threshold_, scale_, [x](int64_t at, const float* f, int64_t n) {
    float* __restrict v = x + at;
    for (int64_t l = 0; l < n; ++l) v[l] *= f[l];
  });
}

void DropoutMask::apply_bf16(uint64_t column_key, uint16_t* x, int64_t rows) const {
  for_each_factor(column_key, rows, threshold_, scale_, [x](int64_t at, const float* f, int64_t n) {
    float v[kBlock];
    for (int64_t l = 0; l < n; ++l) v[l] = bf16_to_float(x[at + l]) * f[l];
    to_bf16(v, x + at, static_cast<size_t>(n));
  });
}

}  // namespace imine

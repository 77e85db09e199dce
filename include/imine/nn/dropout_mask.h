// Dropout keep/drop decisions, shared by the Dropout layer and the fused MLP so both paths draw
// identical masks. Counter-based: unit i of a column is decided by 32 bits of the SplitMix64
// output number i/2 of the column's key (low half for even i, high half for odd i), compared as
// an integer against round(p * 2^32). Each unit is a pure function of (seed, sample key, step,
// layer, i), so a sample's mask does not depend on the batch or rank it is in, and the loop over
// units has no carried state: it vectorises (8 hashes per AVX-512 register), where a sequential
// generator cost about a fifth of a training step.
//
// Quantisation: a unit is dropped with probability round(p * 2^32) / 2^32, within 2^-33 of p;
// the kept units are scaled by 1 / (1 - p) in float, as before.
#pragma once

#include <cstdint>

namespace imine {

class DropoutMask {
 public:
  // 0 <= p < 1 (throws Error otherwise).
  explicit DropoutMask(float p);

  // The key of one column: hash of (seed, kStreamDropout, sample key, step, layer).
  static uint64_t column_key(uint64_t seed, uint64_t sample_key, uint64_t step, uint64_t layer);
  // The 32 random bits of unit i (the scalar definition the vector loops must match).
  static uint32_t unit_bits(uint64_t column_key, int64_t i);

  float p() const { return p_; }
  float scale() const { return scale_; }
  uint32_t threshold() const { return threshold_; }
  bool keep(uint64_t column_key, int64_t i) const { return unit_bits(column_key, i) >= threshold_; }

  // mask[i] = keep(i) ? scale : 0 for i < rows.
  void fill(uint64_t column_key, float* mask, int64_t rows) const;
  // x[i] *= keep(i) ? scale : 0: the same products as x * fill(...), in place.
  void apply(uint64_t column_key, float* x, int64_t rows) const;
  // The same on bf16 bits: each value is widened to float, multiplied, and rounded back to bf16
  // (as to_bf16 in gemm.h does).
  void apply_bf16(uint64_t column_key, uint16_t* x, int64_t rows) const;

 private:
  float p_;
  float scale_;
  uint32_t threshold_;
};

}  // namespace imine

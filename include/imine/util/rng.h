// Explicit, keyed random streams. There is no global generator: every stream is made from the
// run seed and the keys that make its results independent of the number of ranks, e.g.
// Rng(seed, kDropoutStream, user_id, step).
#pragma once

#include <cstdint>

#include "imine/util/hash.h"

namespace imine {

// Stream identifiers so that different uses of the same (seed, ids) never share numbers.
enum RngStream : uint64_t {
  kStreamInit = 1,
  kStreamDropout = 2,
  kStreamEpochOrder = 3,
  kStreamSplit = 4,
  kStreamSynthCatalog = 5,
  kStreamSynthUser = 6,
  kStreamSynthArchetype = 7,
  kStreamLabel = 8,
  kStreamBench = 9,
  kStreamDpSample = 10,  // DP-SGD Poisson sampling: (seed, stream, user id, epoch)
  // Label policies: slot draws (seed, stream, user id, slot) and the --explore-budget sample.
  kStreamPolicy = 20,
  kStreamPolicySample = 21,
};

// xoshiro256** seeded through SplitMix64 from a hash of the keys. Fixed algorithm and fixed
// distribution code (not <random>'s implementation-defined distributions), so the same keys
// give the same numbers on every platform.
class Rng {
 public:
  template <typename... Keys>
  explicit Rng(uint64_t seed, Keys... keys) {
    reseed(hash_keys(seed, static_cast<uint64_t>(keys)...));
  }

  uint64_t next_u64();
  // Uniform in [0, 1).
  double uniform() { return hash_to_unit(next_u64()); }
  float uniform_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
  // Uniform integer in [0, n), n > 0 (Lemire's nearly-divisionless method).
  uint64_t below(uint64_t n);
  double normal();
  // Gamma(shape, 1), shape > 0 (Marsaglia-Tsang).
  double gamma(double shape);
  // Exponential with rate 1.
  double exponential();

  struct State {
    uint64_t s[4];
  };
  State state() const { return {{s_[0], s_[1], s_[2], s_[3]}}; }
  void set_state(const State& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
  }

 private:
  void reseed(uint64_t key);
  uint64_t s_[4];
};

}  // namespace imine

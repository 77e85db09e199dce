// The plan of a DP-SGD run (imine train --dp-*): sampling rate, noise multiplier (given, or
// found by bisection for a target epsilon over the planned steps) and the epsilon spent after
// any number of steps. One user is one training example per epoch, so the guarantee is
// user-level. See docs/privacy.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imine/privacy/gaussian_noise.h"

namespace imine {

struct DpConfig {
  double noise_multiplier = 0;  // sigma; 0 with target_epsilon > 0: found by bisection
  double clip = 0;              // per-example gradient norm bound C; 0 = DP-SGD off
  double target_epsilon = 0;    // > 0: choose sigma so the planned run spends this
  double delta = 1e-5;
  bool seeded_noise = false;  // TEST ONLY: noise keyed by --seed instead of the OS CSPRNG
  bool enabled() const { return clip > 0; }
};

struct DpPlan {
  double q = 0;               // Poisson sampling rate: expected batch / training users
  double expected_batch = 0;  // q * training users: what the clipped sum is divided by
  double sigma = 0;
  double clip = 0;
  double delta = 0;
  int64_t planned_steps = 0;
  double planned_epsilon = 0;  // epsilon after planned_steps
};

// Throws Error (naming the --dp-* option) on an inconsistent configuration: no clip with noise,
// both or neither of noise multiplier and target epsilon, delta not below 1 / users, or a
// target epsilon that no noise multiplier up to 1000 reaches.
DpPlan plan_dp(const DpConfig& config, int64_t num_train_users, int64_t batch_size,
               int64_t planned_steps);
// Epsilon (at plan.delta) after `steps` steps, by the RDP accountant (dp-accounting orders).
double dp_epsilon_after(const DpPlan& plan, int64_t steps);
// After the allreduce of the clipped gradient sums, on every rank: adds N(0, (sigma C)^2) to
// every parameter of `slices` ((offset, count) in grads; padding gets none, keeping it 0),
// keyed by (key, step, slice index) so all ranks add the same numbers, then divides everything
// by the expected batch (not the drawn one, whose size would leak who was sampled).
void noise_and_average(const DpPlan& plan, const NoiseKey& key, int64_t step,
                       const std::vector<std::pair<size_t, size_t>>& slices, float* grads,
                       size_t num_params);
// One line for logs: "DP-SGD: q=..., sigma=..., C=..., ... epsilon ... at delta ...".
std::string describe(const DpPlan& plan);

}  // namespace imine

// Poisson sampling for DP-SGD, the same whatever the number of ranks: every training user is
// in each step independently with probability q. A user's steps within an epoch come from its
// own stream Rng(seed, kStreamDpSample, user id, epoch) as geometric gaps (the waiting times of
// Bernoulli(q) trials, so the same distribution as one coin per step at O(q) cost per user
// and step), so each rank draws its own users' steps without communication and the global
// batch of every step is the same set at any -np.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imine {

class PoissonSampler {
 public:
  // ids: this rank's training user ids (index i refers to local example i); 0 < q <= 1.
  PoissonSampler(const std::vector<uint64_t>& ids, uint64_t seed, double q,
                 int64_t steps_per_epoch);
  // Draws `epoch`: afterwards step_begin/step_size list the local examples of each step.
  void start_epoch(int64_t epoch);
  int64_t steps() const { return steps_; }
  double q() const { return q_; }
  // Local example indices of step s in [0, steps()), ascending.
  const uint32_t* step_begin(int64_t s) const { return order_.data() + bounds_[s]; }
  size_t step_size(int64_t s) const { return bounds_[s + 1] - bounds_[s]; }

 private:
  const std::vector<uint64_t>& ids_;
  uint64_t seed_;
  double q_;
  int64_t steps_;
  std::vector<uint32_t> order_;
  std::vector<size_t> bounds_;
};

}  // namespace imine

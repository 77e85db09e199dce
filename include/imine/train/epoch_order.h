// Which training users go into which step, the same whatever the number of ranks.
//
// Each training user draws a key hash(seed, epoch, user id) in [0, 1); step s of an epoch with
// S steps takes the users whose key falls in [s/S, (s+1)/S). A rank only needs its own users'
// keys, so no communication is needed, and the global batch of a step is the same set of
// users at np=1, 2 or 64: training is rank-count invariant, and resuming at another np neither
// repeats nor skips anyone. Batch sizes vary around the configured size (binomially); gradients
// are averaged over the true global count of each step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imine {

// Steps in an epoch for a global number of training users and a target global batch size.
int64_t steps_per_epoch(int64_t num_train_users, int64_t batch_size);

class EpochOrder {
 public:
  // ids: this rank's training user ids (index i refers to local example i).
  EpochOrder(const std::vector<uint64_t>& ids, uint64_t seed, int64_t steps_per_epoch);
  // Reorders for `epoch`: afterwards step_examples(s) lists the local examples of step s.
  void start_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  int64_t steps() const { return steps_; }
  // Local example indices of step s in [0, steps()), in key order.
  const uint32_t* step_begin(int64_t s) const { return order_.data() + bounds_[s]; }
  size_t step_size(int64_t s) const { return bounds_[s + 1] - bounds_[s]; }

 private:
  const std::vector<uint64_t>& ids_;
  uint64_t seed_;
  int64_t steps_;
  int64_t epoch_ = -1;
  std::vector<uint32_t> order_;
  std::vector<size_t> bounds_;
};

}  // namespace imine

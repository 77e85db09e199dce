// Which training users go into which step, the same whatever the number of ranks.
//
// Each training user draws a key hash(seed, epoch, user id) in [0, 1); step s of an epoch with
// S steps takes the users whose key falls in [s/S, (s+1)/S). A rank only needs its own users'
// keys, so no communication is needed, and the global batch of a step is the same set of
// users at np=1, 2 or 64: training is rank-count invariant, and resuming at another np neither
// repeats nor skips anyone. Batch sizes vary around the configured size (binomially); gradients
// are averaged over the true global count of each step.
//
// Memory does not grow with the rank's users: the order is built one window of steps at a
// time (about `window_users` users), by a sequential scan of the ids that keeps only the users
// of the window's steps. Every window is sorted exactly as a whole epoch would be (key, then
// id), so the steps hold the same users in the same order for any window size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace imine {

// Steps in an epoch for a global number of training users and a target global batch size.
int64_t steps_per_epoch(int64_t num_train_users, int64_t batch_size);

class EpochOrder {
 public:
  // Reads local users [begin, begin + n)'s ids into out.
  using IdReader = std::function<void(size_t begin, size_t n, uint64_t* out)>;
  static constexpr size_t kDefaultWindowUsers = size_t{1} << 17;

  // num_users local training users whose ids `read` returns (index i refers to local example i).
  EpochOrder(size_t num_users, IdReader read, uint64_t seed, int64_t steps_per_epoch,
             size_t window_users = kDefaultWindowUsers);
  // ids: held by the caller for the life of this object.
  EpochOrder(const std::vector<uint64_t>& ids, uint64_t seed, int64_t steps_per_epoch,
             size_t window_users = kDefaultWindowUsers);

  void start_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  int64_t steps() const { return steps_; }
  // Steps per window.
  int64_t window_steps() const { return window_; }
  // Local example indices of step s in [0, steps()), in key order. Loads s's window when it is
  // not the current one (a sequential scan of the ids), so ask for steps in increasing order.
  // The pointer is valid until the next call for a step of another window.
  const uint32_t* step_begin(int64_t s);
  size_t step_size(int64_t s);

 private:
  void load_window(int64_t first);

  size_t n_;
  IdReader read_;
  uint64_t seed_;
  int64_t steps_;
  int64_t window_;
  int64_t epoch_ = -1;
  int64_t first_ = -1;  // first step of the loaded window (-1: none)
  std::vector<uint32_t> order_;
  std::vector<size_t> bounds_;  // window_ + 1 entries into order_
};

}  // namespace imine

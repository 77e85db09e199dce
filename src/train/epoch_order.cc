#include "imine/train/epoch_order.h"

#include <algorithm>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {

int64_t steps_per_epoch(int64_t num_train_users, int64_t batch_size) {
  IMINE_CHECK(batch_size > 0) << "--batch-size must be positive";
  return std::max<int64_t>(1, (num_train_users + batch_size - 1) / batch_size);
}

EpochOrder::EpochOrder(const std::vector<uint64_t>& ids, uint64_t seed, int64_t steps)
    : ids_(ids), seed_(seed), steps_(steps) {
  IMINE_CHECK(steps > 0) << "an epoch needs at least one step";
  IMINE_CHECK(ids.size() < (uint64_t{1} << 32)) << "too many users on one rank";
}

void EpochOrder::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  const size_t n = ids_.size();
  std::vector<uint64_t> keys(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = hash_keys(seed_, kStreamEpochOrder, static_cast<uint64_t>(epoch), ids_[i]);
  }
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
  // Ties in the 64-bit key are broken by user id so the order is total.
  std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    return keys[a] != keys[b] ? keys[a] < keys[b] : ids_[a] < ids_[b];
  });
  bounds_.assign(static_cast<size_t>(steps_) + 1, n);
  bounds_[0] = 0;
  // step(key) = floor(key * S / 2^64), computed exactly in 128 bits.
  size_t pos = 0;
  for (int64_t s = 0; s < steps_; ++s) {
    bounds_[s] = pos;
    while (pos < n) {
      auto step = static_cast<int64_t>(
          (static_cast<unsigned __int128>(keys[order_[pos]]) * static_cast<uint64_t>(steps_)) >>
          64);
      if (step != s) break;
      ++pos;
    }
  }
  bounds_[steps_] = n;
}

}  // namespace imine

#include "imine/train/epoch_order.h"

#include <algorithm>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {

namespace {

// step(key) = floor(key * S / 2^64), computed exactly in 128 bits.
int64_t step_of(uint64_t key, int64_t steps) {
  return static_cast<int64_t>(
      (static_cast<unsigned __int128>(key) * static_cast<uint64_t>(steps)) >> 64);
}

struct Entry {
  uint64_t key, id;
  uint32_t index;
};

}  // namespace

int64_t steps_per_epoch(int64_t num_train_users, int64_t batch_size) {
  IMINE_CHECK(batch_size > 0) << "--batch-size must be positive";
  return std::max<int64_t>(1, (num_train_users + batch_size - 1) / batch_size);
}

EpochOrder::EpochOrder(size_t num_users, IdReader read, uint64_t seed, int64_t steps,
                       size_t window_users)
    : n_(num_users), read_(std::move(read)), seed_(seed), steps_(steps) {
  IMINE_CHECK(steps > 0) << "an epoch needs at least one step";
  IMINE_CHECK(num_users < (uint64_t{1} << 32)) << "too many users on one rank";
  // Enough steps per window for about window_users local users, at least one step.
  const double per_step = static_cast<double>(n_) / static_cast<double>(steps_);
  const double w = per_step > 0 ? static_cast<double>(std::max<size_t>(window_users, 1)) / per_step
                                : static_cast<double>(steps_);
  window_ = std::clamp<int64_t>(static_cast<int64_t>(w), 1, steps_);
}

EpochOrder::EpochOrder(const std::vector<uint64_t>& ids, uint64_t seed, int64_t steps,
                       size_t window_users)
    : EpochOrder(
          ids.size(),
          [&ids](size_t begin, size_t n, uint64_t* out) {
            std::copy(ids.begin() + begin, ids.begin() + begin + n, out);
          },
          seed, steps, window_users) {}

void EpochOrder::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  first_ = -1;
}

void EpochOrder::load_window(int64_t first) {
  IMINE_CHECK(epoch_ >= 0) << "epoch order: step asked before start_epoch";
  const int64_t last = std::min(steps_, first + window_);
  std::vector<Entry> entries;
  constexpr size_t kChunk = 1 << 16;
  std::vector<uint64_t> ids(std::min(kChunk, n_));
  for (size_t b = 0; b < n_; b += kChunk) {
    const size_t m = std::min(kChunk, n_ - b);
    read_(b, m, ids.data());
    for (size_t j = 0; j < m; ++j) {
      const uint64_t key =
          hash_keys(seed_, kStreamEpochOrder, static_cast<uint64_t>(epoch_), ids[j]);
      const int64_t s = step_of(key, steps_);
      if (s >= first && s < last) entries.push_back({key, ids[j], static_cast<uint32_t>(b + j)});
    }
  }
  // Ties in the 64-bit key are broken by user id so the order is total (and by position, for
  // ids repeated within a rank, so even that stays deterministic).
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.id != b.id ? a.id < b.id : a.index < b.index;
  });
  order_.resize(entries.size());
  bounds_.assign(static_cast<size_t>(window_) + 1, entries.size());
  size_t pos = 0;
  for (int64_t s = first; s < last; ++s) {
    bounds_[s - first] = pos;
    while (pos < entries.size() && step_of(entries[pos].key, steps_) == s) {
      order_[pos] = entries[pos].index;
      ++pos;
    }
  }
  first_ = first;
}

const uint32_t* EpochOrder::step_begin(int64_t s) {
  if (first_ < 0 || s < first_ || s >= first_ + window_) load_window(s);
  return order_.data() + bounds_[s - first_];
}

size_t EpochOrder::step_size(int64_t s) {
  if (first_ < 0 || s < first_ || s >= first_ + window_) load_window(s);
  return bounds_[s - first_ + 1] - bounds_[s - first_];
}

}  // namespace imine

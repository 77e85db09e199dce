// Walker/Vose alias table: O(1) sampling from a fixed discrete distribution, used for every
// per-event draw of the synthetic generator (items within a category, popular categories).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imine/util/rng.h"

namespace imine {

class AliasTable {
 public:
  AliasTable() = default;
  // Weights need not be normalised; they must be finite, >= 0, with a positive sum and fewer
  // than 2^32 entries. `what` names the distribution in the error message.
  AliasTable(const std::vector<double>& weights, const char* what);

  size_t size() const { return alias_.size(); }

  // One 64-bit draw per sample: the high half picks the column, the low half the coin, so the
  // stream advances by exactly one word whatever the outcome.
  uint32_t sample(Rng& rng) const {
    const uint64_t r = rng.next_u64();
    const auto column = static_cast<uint32_t>(((r >> 32) * alias_.size()) >> 32);
    return (r & 0xffffffffULL) < threshold_[column] ? column : alias_[column];
  }

 private:
  std::vector<uint64_t> threshold_;  // P(keep column) scaled to [0, 2^32]
  std::vector<uint32_t> alias_;
};

}  // namespace imine

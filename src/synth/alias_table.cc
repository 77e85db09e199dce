#include "imine/synth/alias_table.h"

#include <cmath>

#include "imine/util/error.h"

namespace imine {

AliasTable::AliasTable(const std::vector<double>& weights, const char* what) {
  const size_t n = weights.size();
  IMINE_CHECK(n > 0) << what << ": alias table needs at least one weight";
  IMINE_CHECK(n < (uint64_t{1} << 32)) << what << ": too many weights (" << n << ")";
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    IMINE_CHECK(std::isfinite(weights[i]) && weights[i] >= 0.0)
        << what << ": weight " << i << " is " << weights[i] << " (must be finite and >= 0)";
    sum += weights[i];
  }
  IMINE_CHECK(sum > 0.0) << what << ": weights sum to zero";

  // Vose's method: pair each under-full column with an over-full one.
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / sum;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  threshold_.assign(n, uint64_t{1} << 32);
  alias_.resize(n);
  for (size_t i = 0; i < n; ++i) alias_[i] = static_cast<uint32_t>(i);
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    threshold_[s] = static_cast<uint64_t>(std::ldexp(scaled[s], 32));
    alias_[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding and keep their own column (threshold 2^32), except a
  // zero weight stranded by rounding, which must never be drawn.
  size_t heaviest = 0;
  for (size_t i = 1; i < n; ++i) {
    if (weights[i] > weights[heaviest]) heaviest = i;
  }
  for (uint32_t s : small) {
    if (weights[s] == 0.0) {
      threshold_[s] = 0;
      alias_[s] = static_cast<uint32_t>(heaviest);
    }
  }
}

}  // namespace imine

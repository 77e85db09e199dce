#include "imine/eval/baselines.h"

#include <algorithm>

#include "imine/util/error.h"

namespace imine {

namespace {
constexpr double kTieBreak = 1e-6;
}  // namespace

void count_targets(const uint8_t* targets, size_t n, size_t C, double* counts) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < C; ++c) counts[c] += targets[i * C + c] ? 1.0 : 0.0;
  }
}

std::vector<float> popularity_from_counts(const std::vector<double>& counts, double num_users) {
  IMINE_CHECK(num_users > 0) << "baselines: popularity needs at least one training user";
  std::vector<float> pop(counts.size());
  for (size_t c = 0; c < counts.size(); ++c) {
    IMINE_CHECK(counts[c] >= 0 && counts[c] <= num_users)
        << "baselines: target count " << counts[c] << " of category " << c << " is not within [0, "
        << num_users << "] training users";
    pop[c] = static_cast<float>(counts[c] / num_users);
  }
  return pop;
}

void pop_scores(const std::vector<float>& popularity, size_t n, float* out) {
  const size_t C = popularity.size();
  for (size_t i = 0; i < n; ++i) std::copy(popularity.begin(), popularity.end(), out + i * C);
}

void hist_scores(const float* features, size_t stride, size_t hist_offset,
                 const std::vector<float>& popularity, size_t n, float* out) {
  const size_t C = popularity.size();
  IMINE_CHECK(hist_offset + C <= stride)
      << "baselines: histogram block [" << hist_offset << ", " << hist_offset + C
      << ") does not fit in feature rows of " << stride;
  for (size_t i = 0; i < n; ++i) {
    const float* h = features + i * stride + hist_offset;
    float* o = out + i * C;
    for (size_t c = 0; c < C; ++c) {
      const double s = (static_cast<double>(h[c]) + kTieBreak * popularity[c]) / (1.0 + kTieBreak);
      o[c] = static_cast<float>(std::min(1.0, std::max(0.0, s)));
    }
  }
}

}  // namespace imine

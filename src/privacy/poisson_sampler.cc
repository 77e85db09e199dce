#include "imine/privacy/poisson_sampler.h"

#include <cmath>
#include <utility>

#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {

PoissonSampler::PoissonSampler(const std::vector<uint64_t>& ids, uint64_t seed, double q,
                               int64_t steps_per_epoch)
    : ids_(ids), seed_(seed), q_(q), steps_(steps_per_epoch) {
  IMINE_CHECK(q > 0.0 && q <= 1.0) << "DP-SGD sampling rate " << q << " outside (0, 1]";
  IMINE_CHECK(steps_per_epoch > 0) << "DP-SGD: an epoch needs at least one step";
  IMINE_CHECK(ids.size() < (uint64_t{1} << 32)) << "DP-SGD: too many users on one rank";
}

void PoissonSampler::start_epoch(int64_t epoch) {
  // Geometric(q) failures before a success: floor(Exp(1) / -log(1 - q)).
  const double rate = q_ < 1.0 ? -std::log1p(-q_) : 0.0;
  std::vector<std::pair<int64_t, uint32_t>> hits;
  hits.reserve(static_cast<size_t>(q_ * steps_ * static_cast<double>(ids_.size()) * 1.1) + 16);
  for (size_t i = 0; i < ids_.size(); ++i) {
    Rng rng(seed_, kStreamDpSample, ids_[i], static_cast<uint64_t>(epoch));
    auto gap = [&]() -> double { return q_ < 1.0 ? std::floor(rng.exponential() / rate) : 0.0; };
    for (double s = gap(); s < static_cast<double>(steps_); s += 1.0 + gap()) {
      hits.emplace_back(static_cast<int64_t>(s), static_cast<uint32_t>(i));
    }
  }
  // Counting sort by step; within a step the local indices stay ascending.
  bounds_.assign(static_cast<size_t>(steps_) + 1, 0);
  for (const auto& h : hits) ++bounds_[static_cast<size_t>(h.first) + 1];
  for (size_t s = 1; s < bounds_.size(); ++s) bounds_[s] += bounds_[s - 1];
  order_.resize(hits.size());
  std::vector<size_t> at(bounds_.begin(), bounds_.end() - 1);
  for (const auto& h : hits) order_[at[static_cast<size_t>(h.first)]++] = h.second;
}

}  // namespace imine

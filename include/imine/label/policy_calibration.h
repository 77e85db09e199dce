// --explore-budget: every policy maps the budget (the expected share of explore slots) onto its
// own knob, so policies can be compared at equal exploration. The share is measured on a keyed
// sample of users by running the policy with its real seeds, counted in integers and summed over
// ranks, so the knob, and hence every label, is the same for any number of ranks.
#pragma once

#include <cstdint>
#include <vector>

#include "imine/label/policy.h"

namespace imine {

class Communicator;
class DatasetSource;
class ChunkScorer;

// Scores of a set of users, user-major [size() x C]; sigma empty without a posterior head.
struct ScoredUsers {
  int num_categories = 0;
  std::vector<uint64_t> ids;
  std::vector<float> probs, sigma;
  size_t size() const { return ids.size(); }
  UserScores user(size_t i) const {
    const size_t C = static_cast<size_t>(num_categories);
    return {probs.data() + i * C, sigma.empty() ? nullptr : sigma.data() + i * C, num_categories};
  }
};

// Whether user `id` belongs to the calibration sample that keeps about `target` of `total` users.
bool in_calibration_sample(uint64_t id, uint64_t seed, int64_t target, int64_t total);

// Collective: this rank's users of the calibration sample (about `target` over all ranks).
ScoredUsers calibration_sample(const DatasetSource& source, ChunkScorer& scorer, uint64_t seed,
                               int64_t target, const Communicator& comm);

// Collective: explore slots / all slots of `p` over every rank's `local` users.
double explore_share(const Policy& p, int k, uint64_t seed, const ScoredUsers& local,
                     const Communicator& comm);

// Collective: p with its knob set so that explore_share is closest to budget (calibrate_knob).
// Needs p.explore_slots == 0.
Policy calibrate_policy(Policy p, double budget, int k, uint64_t seed, const ScoredUsers& local,
                        const Communicator& comm);

}  // namespace imine

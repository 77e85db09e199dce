#include "imine/label/policy_calibration.h"

#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/label/label_writer.h"
#include "imine/label/policy_scorer.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/rng.h"

namespace imine {

bool in_calibration_sample(uint64_t id, uint64_t seed, int64_t target, int64_t total) {
  if (total <= target) return true;
  const double keep = static_cast<double>(target) / static_cast<double>(total);
  return hash_to_unit(hash_keys(seed, kStreamPolicySample, id)) < keep;
}

ScoredUsers calibration_sample(const DatasetSource& source, ChunkScorer& scorer, uint64_t seed,
                               int64_t target, const Communicator& comm) {
  int64_t total = static_cast<int64_t>(source.local_users());
  comm.allreduce_sum(&total, 1);
  ScoredUsers s;
  s.num_categories = scorer.num_categories();
  std::vector<size_t> pick;
  std::vector<float> probs, sigma;
  source.for_each_chunk([&](const UserChunk& chunk) {
    pick.clear();
    for (size_t u = 0; u < chunk.num_users(); ++u) {
      if (in_calibration_sample(chunk.user_ids[u], seed, target, total)) pick.push_back(u);
    }
    if (pick.empty()) return;
    scorer.score(chunk, pick, &probs, &sigma);
    for (size_t u : pick) s.ids.push_back(chunk.user_ids[u]);
    s.probs.insert(s.probs.end(), probs.begin(), probs.end());
    s.sigma.insert(s.sigma.end(), sigma.begin(), sigma.end());
  });
  return s;
}

double explore_share(const Policy& p, int k, uint64_t seed, const ScoredUsers& local,
                     const Communicator& comm) {
  std::vector<int32_t> cats(static_cast<size_t>(k));
  std::vector<uint8_t> slots(static_cast<size_t>(k));
  // Integer counts: their sum over ranks is exact, so the share does not depend on np.
  int64_t counts[2] = {0, static_cast<int64_t>(local.size()) * k};
  for (size_t i = 0; i < local.size(); ++i) {
    choose_labels(p, local.user(i), k, seed, local.ids[i], cats.data(), slots.data(), nullptr);
    for (uint8_t s : slots) counts[0] += s == kSlotExplore ? 1 : 0;
  }
  comm.allreduce_sum(counts, 2);
  return counts[1] > 0 ? static_cast<double>(counts[0]) / static_cast<double>(counts[1]) : 0.0;
}

Policy calibrate_policy(Policy p, double budget, int k, uint64_t seed, const ScoredUsers& local,
                        const Communicator& comm) {
  IMINE_CHECK(p.explore_slots == 0)
      << "--explore-budget and --explore-slots are alternatives; give one of them";
  p.knob = calibrate_knob(p.kind, budget, [&](double knob) {
    Policy q = p;
    q.knob = knob;
    return explore_share(q, k, seed, local, comm);
  });
  return p;
}

}  // namespace imine

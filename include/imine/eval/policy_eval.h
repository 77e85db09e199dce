// Offline evaluation of explore/exploit label lists (docs/explore-exploit.md): exploit quality,
// discovery of new interests, coverage, and off-policy value estimates from logged propensities.
// MPI-free: each rank accumulates its users, the caller sums sums() and counts() over ranks and
// calls finish() on the totals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imine {

// A metric undefined on the data (e.g. no explore slot at all) is NaN, printed as null.
struct PolicyMetrics {
  int64_t users = 0;
  double precision_at_k = 0;          // mean over users of hits / k
  double ndcg_at_k = 0;               // binary relevance, ideal = min(k, |target|) hits on top
  double exploit_precision_at_k = 0;  // hits in exploit slots / exploit slots
  double exploit_ndcg_at_k = 0;       // DCG of the exploit slots only / ideal DCG
  double explore_share = 0;           // explore slots / all slots
  int64_t new_interest_hits = 0;      // slots holding a target category absent from the input
  double new_interest_hits_per_user = 0;
  double explore_new_interest_rate = 0;  // share of explore slots that are new-interest hits
  double new_interest_recall = 0;        // mean |list & new| / |new| over users with new interests
  int64_t distinct_categories = 0;       // across all users' lists
  double exposure_gini = 0;              // Gini of how often each category is listed
  double novel_user_share = 0;           // users with >= 1 listed category absent from their input
  double truth_surfaced = 0;  // synthetic: mean share of true, unexpressed interests listed
};

class PolicyMetricsAccumulator {
 public:
  PolicyMetricsAccumulator(int num_categories, int k);
  // One user's list: categories[k], slots[k] (1 = explore). target/input/truth are [C] flags:
  // categories in the target window, in the input window, and (null when the data has no
  // ground truth) the user's true interests.
  void add(const int32_t* categories, const uint8_t* slots, const uint8_t* target,
           const uint8_t* input, const uint8_t* truth);
  std::vector<double>& sums() { return sums_; }
  std::vector<int64_t>& counts() { return counts_; }  // [users..., exposure per category]
  PolicyMetrics finish() const;

 private:
  int C_, k_;
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
};

// `"prefix_precision_at_k":0.31,...` (no braces), the keys of docs/explore-exploit.md.
std::string to_json_fields(const PolicyMetrics& m, const std::string& prefix);

// Off-policy estimates of a target policy B's hit rate (expected hits per slot) from lists
// logged by policy A with per-slot propensities. Slots are sequential decisions, so slot j is
// weighted by the product rho_j of B/A probability ratios of slots 0..j (per-decision
// importance sampling, unbiased for B's sequential lists). Doubly robust adds the direct
// method q (a reward model, e.g. the model's own scores):
//   DR = sum_j rho_{j-1} * sum_a pi_B(a | slots < j) q(a) + rho_j * (r_j - q(a_j)).
struct OpeSlot {
  double logged_propensity = 1;   // pi_A(a_j | earlier slots), > 0
  double target_probability = 0;  // pi_B(a_j | earlier slots)
  double reward = 0;              // e.g. 1 if a_j is in the target window
  double q_logged = 0;            // q(a_j)
  double q_target = 0;            // sum_a pi_B(a | earlier slots) q(a)
};

struct OpeEstimates {
  int64_t users = 0;
  double logged = 0;  // A's own mean hit rate
  double ips = 0, snips = 0, dr = 0;
};

class OpeAccumulator {
 public:
  explicit OpeAccumulator(int k);
  void add(const OpeSlot* slots);  // k slots of one user
  std::vector<double>& sums() { return sums_; }
  OpeEstimates finish() const;

 private:
  int k_;
  std::vector<double> sums_;  // users, logged, then per slot: rho*r, rho, dr terms
};

// Gini coefficient of non-negative counts (0: equal exposure; close to 1: one category gets all).
double gini(const std::vector<int64_t>& counts);

}  // namespace imine

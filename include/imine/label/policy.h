// Explore/exploit label policies (docs/explore-exploit.md). A policy is a pure function from one
// user's scores (and, for thompson and ucb, the posterior standard deviation of each score) to a
// probability distribution over the categories still open for the next slot. Slots are filled
// one after another; slot j of user u draws from Rng(seed, kStreamPolicy, u, j), so labels are
// reproducible and do not depend on how users are spread over ranks.
//
// A slot "explores" when its category is not in the greedy list (the k best scores), or, with
// explore_slots > 0, when it is one of the last explore_slots slots (those never hold the
// greedy choice of their slot). Every slot's propensity is the probability that the policy put
// that category there given the user's scores and the earlier slots.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace imine {

class Rng;

enum class PolicyKind { kGreedy, kEpsilon, kSoftmax, kSquareCb, kThompson, kUcb };

// {"greedy", "epsilon", "softmax", "squarecb", "thompson", "ucb"}, in enum order.
const std::vector<std::string>& policy_names();
const char* policy_name(PolicyKind kind);
PolicyKind policy_kind(const std::string& name);  // throws Error naming the unknown policy
// The policy's exploration knob: "epsilon", "temperature", "gamma", "posterior_scale", "alpha"
// ("none" for greedy).
const char* policy_knob_name(PolicyKind kind);
bool policy_needs_uncertainty(PolicyKind kind);

struct Policy {
  PolicyKind kind = PolicyKind::kGreedy;
  double knob = 0;        // >= 0; its meaning depends on kind (policy_knob_name)
  int explore_slots = 0;  // > 0: the last explore_slots slots explore, the earlier ones are greedy
};

// One user's model output over C categories: score[c] and, for thompson/ucb, sigma[c] >= 0.
struct UserScores {
  const float* score = nullptr;
  const float* sigma = nullptr;  // may be null for policies without uncertainty
  int num_categories = 0;
};

// Index of the largest score among candidates (candidate[c] != 0), ties to the lower index;
// -1 without candidates.
int best_candidate(const UserScores& u, const uint8_t* candidate);

// probs[c] for every c in [0, C): the probability that the next slot holds c, 0 for
// non-candidates. Throws Error without candidates or when sigma is needed and missing.
void slot_distribution(const Policy& p, const UserScores& u, const uint8_t* candidate,
                       double* probs);
// slot_distribution(...)[category], cheaper for thompson (one integral instead of C).
double slot_probability(const Policy& p, const UserScores& u, const uint8_t* candidate,
                        int category);
// Draws the next slot's category from slot_distribution.
int sample_slot(const Policy& p, const UserScores& u, const uint8_t* candidate, Rng& rng);

// Fills k slots for one user: categories[k], slots[k] (kSlotExploit/kSlotExplore) and, when
// propensities is not null, propensities[k]. 1 <= k <= C, explore_slots <= k and, with
// explore_slots > 0, k < C.
void choose_labels(const Policy& p, const UserScores& u, int k, uint64_t seed, uint64_t user_id,
                   int32_t* categories, uint8_t* slots, float* propensities);

// The candidate mask of slot j given the categories already in slots [0, j) (for evaluating
// another policy's probabilities on a logged list): open categories, minus the greedy choice
// when slot j is one of the policy's explore_slots.
void slot_candidates(const Policy& p, const UserScores& u, int k, int j, const int32_t* earlier,
                     std::vector<uint8_t>* candidate);

// The rule slot j of k follows: p itself, or greedy for the slots before p's explore_slots.
// slot_distribution(policy_for_slot(p, k, j), ...) is slot j's distribution.
Policy policy_for_slot(const Policy& p, int k, int j);

// --explore-budget: the knob at which explore_share(knob) (the expected share of explore slots,
// computed by the caller, e.g. over a keyed sample of users on all ranks) is closest to budget,
// by bisection over the policy's knob range (log scale except epsilon). Greedy returns 0.
double calibrate_knob(PolicyKind kind, double budget,
                      const std::function<double(double)>& explore_share);

}  // namespace imine

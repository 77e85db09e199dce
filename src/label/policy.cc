#include "imine/label/policy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "imine/label/label_writer.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {

namespace {

const std::vector<std::string> kNames = {"greedy",   "epsilon",  "softmax",
                                         "squarecb", "thompson", "ucb"};

// Beyond this many standard deviations a normal has no mass that matters at double precision
// for the chi-square checks (Phi(-8.5) ~ 1e-17).
constexpr double kTail = 8.5;

double normal_cdf(double z) { return 0.5 * std::erfc(-z * M_SQRT1_2); }

void check_user(const Policy& p, const UserScores& u) {
  IMINE_CHECK(u.num_categories > 0 && u.score != nullptr) << "policy: no scores";
  IMINE_CHECK(!policy_needs_uncertainty(p.kind) || u.sigma != nullptr)
      << "policy " << policy_name(p.kind)
      << " needs posterior uncertainty (a checkpoint with a posterior head)";
  IMINE_CHECK(p.knob >= 0 && std::isfinite(p.knob))
      << "policy " << policy_name(p.kind) << ": " << policy_knob_name(p.kind) << " = " << p.knob
      << " must be finite and >= 0";
}

// Thompson: the probability that candidate c has the largest of independent draws
// N(score_a, (scale * sigma_a)^2) over the candidates (ties, of measure zero unless some
// sigma is 0, go to the lower index). A one-dimensional integral over c's own draw t,
//   p_c = int phi_c(t) prod_{a != c} P(X_a < t) dt,
// by composite Simpson on segments whose step is a fifth of the narrowest standard deviation
// that varies there (c's own density, or a rival's near-step factor); a point-mass rival is a
// segment boundary, so each segment's integrand is smooth.
double thompson_win_probability(const UserScores& u, const uint8_t* cand, double scale, int c) {
  const int C = u.num_categories;
  const double mc = u.score[c], sc = scale * u.sigma[c];
  struct Rival {
    double mu, s;
    bool lower;  // lower index: wins ties
  };
  std::vector<Rival> rivals;
  for (int a = 0; a < C; ++a) {
    if (!cand[a] || a == c) continue;
    const double ma = u.score[a], sa = scale * u.sigma[a];
    // A rival that is surely above c's whole range wins always; one surely below never.
    if (ma - kTail * sa > mc + kTail * sc) return 0.0;
    if (ma + kTail * sa < mc - kTail * sc) continue;
    rivals.push_back({ma, sa, a < c});
  }
  auto below = [](const Rival& r, double t) {  // P(X_a < t), c winning ties with higher a
    if (r.s > 0) return normal_cdf((t - r.mu) / r.s);
    return r.lower ? (r.mu < t ? 1.0 : 0.0) : (r.mu <= t ? 1.0 : 0.0);
  };
  if (sc == 0) {
    double p = 1;
    for (const Rival& r : rivals) p *= below(r, mc);
    return p;
  }
  // Intervals [lo, hi] with the largest step allowed inside them.
  struct Span {
    double lo, hi, step;
  };
  const double lo = mc - kTail * sc, hi = mc + kTail * sc;
  std::vector<Span> spans = {{lo, hi, 0.2 * sc}};
  std::vector<double> cuts = {lo, hi};
  for (const Rival& r : rivals) {
    if (r.s == 0) {
      if (r.mu > lo && r.mu < hi) cuts.push_back(r.mu);
      continue;
    }
    if (r.s >= sc) continue;
    const double a = std::max(lo, r.mu - kTail * r.s), b = std::min(hi, r.mu + kTail * r.s);
    if (a >= b) continue;
    spans.push_back({a, b, 0.2 * r.s});
    cuts.push_back(a);
    cuts.push_back(b);
  }
  std::sort(cuts.begin(), cuts.end());
  auto f = [&](double t) {
    const double z = (t - mc) / sc;
    double v = std::exp(-0.5 * z * z) / (sc * std::sqrt(2 * M_PI));
    for (const Rival& r : rivals) {
      v *= below(r, t);
      if (v == 0) break;
    }
    return v;
  };
  double total = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double a = cuts[i], b = cuts[i + 1];
    if (b <= a) continue;
    double step = sc;
    for (const Span& sp : spans) {
      if (sp.lo <= a && sp.hi >= b) step = std::min(step, sp.step);
    }
    int n = std::max(2, static_cast<int>(std::ceil((b - a) / step)));
    n += n % 2;  // Simpson needs an even number of intervals
    const double h = (b - a) / n;
    // Open at point-mass cuts: evaluate just inside so the step's side is the segment's own.
    const double eps = 1e-12 * std::max(1.0, std::abs(a) + std::abs(b));
    double sum = f(a + eps) + f(b - eps);
    for (int j = 1; j < n; ++j) sum += f(a + j * h) * (j % 2 ? 4 : 2);
    total += sum * h / 3;
  }
  return total;
}

}  // namespace

const std::vector<std::string>& policy_names() { return kNames; }

const char* policy_name(PolicyKind kind) { return kNames[static_cast<size_t>(kind)].c_str(); }

PolicyKind policy_kind(const std::string& name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<PolicyKind>(i);
  }
  IMINE_FAIL() << "unknown policy '" << name
               << "' (greedy, epsilon, softmax, squarecb, thompson, ucb)";
}

const char* policy_knob_name(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kGreedy:
      return "none";
    case PolicyKind::kEpsilon:
      return "epsilon";
    case PolicyKind::kSoftmax:
      return "temperature";
    case PolicyKind::kSquareCb:
      return "gamma";
    case PolicyKind::kThompson:
      return "posterior_scale";
    case PolicyKind::kUcb:
      return "alpha";
  }
  return "none";
}

bool policy_needs_uncertainty(PolicyKind kind) {
  return kind == PolicyKind::kThompson || kind == PolicyKind::kUcb;
}

int best_candidate(const UserScores& u, const uint8_t* candidate) {
  int best = -1;
  for (int c = 0; c < u.num_categories; ++c) {
    if (candidate[c] && (best < 0 || u.score[c] > u.score[best])) best = c;
  }
  return best;
}

void slot_distribution(const Policy& p, const UserScores& u, const uint8_t* cand, double* probs) {
  check_user(p, u);
  const int C = u.num_categories;
  const int best = best_candidate(u, cand);
  IMINE_CHECK(best >= 0) << "policy " << policy_name(p.kind) << ": no category left to choose";
  int R = 0;
  for (int c = 0; c < C; ++c) R += cand[c] ? 1 : 0;
  std::fill(probs, probs + C, 0.0);
  switch (p.kind) {
    case PolicyKind::kGreedy:
      probs[best] = 1;
      break;
    case PolicyKind::kEpsilon: {
      const double eps = std::min(1.0, p.knob);
      for (int c = 0; c < C; ++c) probs[c] = cand[c] ? eps / R : 0.0;
      probs[best] += 1 - eps;
      break;
    }
    case PolicyKind::kSoftmax: {
      // Temperature 0 is greedy; a tiny positive one must not overflow.
      if (p.knob <= 0) {
        probs[best] = 1;
        break;
      }
      double z = 0;
      for (int c = 0; c < C; ++c) {
        if (!cand[c]) continue;
        probs[c] = std::exp((double{u.score[c]} - u.score[best]) / p.knob);
        z += probs[c];
      }
      for (int c = 0; c < C; ++c) probs[c] /= z;
      break;
    }
    case PolicyKind::kSquareCb: {
      double rest = 0;
      for (int c = 0; c < C; ++c) {
        if (!cand[c] || c == best) continue;
        probs[c] = 1.0 / (R + p.knob * (double{u.score[best]} - u.score[c]));
        rest += probs[c];
      }
      probs[best] = std::max(0.0, 1.0 - rest);
      break;
    }
    case PolicyKind::kThompson: {
      double z = 0;
      for (int c = 0; c < C; ++c) {
        if (!cand[c]) continue;
        probs[c] = thompson_win_probability(u, cand, p.knob, c);
        z += probs[c];
      }
      // The integrals are accurate to ~1e-5 (a fifth-sd Simpson step); renormalise the sum to 1.
      for (int c = 0; c < C; ++c) probs[c] /= z;
      break;
    }
    case PolicyKind::kUcb: {
      int arg = -1;
      double top = -std::numeric_limits<double>::infinity();
      for (int c = 0; c < C; ++c) {
        if (!cand[c]) continue;
        const double v = double{u.score[c]} + p.knob * u.sigma[c];
        if (v > top) top = v, arg = c;
      }
      probs[arg] = 1;
      break;
    }
  }
}

double slot_probability(const Policy& p, const UserScores& u, const uint8_t* cand, int category) {
  IMINE_CHECK(category >= 0 && category < u.num_categories && cand[category])
      << "policy " << policy_name(p.kind) << ": category " << category << " is not open";
  if (p.kind == PolicyKind::kThompson) {
    check_user(p, u);
    return thompson_win_probability(u, cand, p.knob, category);
  }
  std::vector<double> probs(static_cast<size_t>(u.num_categories));
  slot_distribution(p, u, cand, probs.data());
  return probs[category];
}

int sample_slot(const Policy& p, const UserScores& u, const uint8_t* cand, Rng& rng) {
  check_user(p, u);
  const int C = u.num_categories;
  if (p.kind == PolicyKind::kThompson) {
    // One posterior draw per open category, the largest wins (ties to the lower index).
    int arg = -1;
    double top = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < C; ++c) {
      if (!cand[c]) continue;
      const double v = double{u.score[c]} + p.knob * u.sigma[c] * rng.normal();
      if (arg < 0 || v > top) top = v, arg = c;
    }
    IMINE_CHECK(arg >= 0) << "policy thompson: no category left to choose";
    return arg;
  }
  std::vector<double> probs(static_cast<size_t>(C));
  slot_distribution(p, u, cand, probs.data());
  const double x = rng.uniform();
  double acc = 0;
  int last = -1;
  for (int c = 0; c < C; ++c) {
    if (probs[c] <= 0) continue;
    acc += probs[c];
    last = c;
    if (x < acc) return c;
  }
  return last;  // x above a sum that rounded to just below 1
}

void slot_candidates(const Policy& p, const UserScores& u, int k, int j, const int32_t* earlier,
                     std::vector<uint8_t>* candidate) {
  candidate->assign(static_cast<size_t>(u.num_categories), 1);
  for (int i = 0; i < j; ++i) (*candidate)[earlier[i]] = 0;
  if (p.explore_slots > 0 && j >= k - p.explore_slots) {
    const int best = best_candidate(u, candidate->data());
    if (best >= 0) (*candidate)[best] = 0;
  }
}

Policy policy_for_slot(const Policy& p, int k, int j) {
  Policy q = p;
  if (p.explore_slots > 0 && j < k - p.explore_slots) q.kind = PolicyKind::kGreedy;
  return q;
}

void choose_labels(const Policy& p, const UserScores& u, int k, uint64_t seed, uint64_t user_id,
                   int32_t* categories, uint8_t* slots, float* propensities) {
  const int C = u.num_categories;
  IMINE_CHECK(k >= 1 && k <= C) << "policy: k = " << k << " outside [1, " << C << "]";
  IMINE_CHECK(p.explore_slots >= 0 && p.explore_slots <= k && (p.explore_slots == 0 || k < C))
      << "policy: --explore-slots " << p.explore_slots << " needs at most k = " << k
      << " slots and k below the " << C << " categories";
  std::vector<uint8_t> cand, in_greedy_list(static_cast<size_t>(C), 0);
  {
    // The greedy list (top k, ties to the lower index): a slot exploits when it holds one of
    // these, wherever it sits, so a mere reordering of the greedy list spends no budget.
    std::vector<uint8_t> open(static_cast<size_t>(C), 1);
    for (int j = 0; j < k; ++j) {
      const int b = best_candidate(u, open.data());
      in_greedy_list[b] = 1;
      open[b] = 0;
    }
  }
  for (int j = 0; j < k; ++j) {
    slot_candidates(p, u, k, j, categories, &cand);
    Rng rng(seed, kStreamPolicy, user_id, static_cast<uint64_t>(j));
    const bool fixed_explore = p.explore_slots > 0 && j >= k - p.explore_slots;
    const Policy slot_policy = policy_for_slot(p, k, j);
    const int c = sample_slot(slot_policy, u, cand.data(), rng);
    categories[j] = c;
    if (propensities) {
      // Quadrature rounding may land a hair outside (0, 1]; a drawn category has positive mass.
      const double q = slot_probability(slot_policy, u, cand.data(), c);
      propensities[j] =
          static_cast<float>(std::min(1.0, std::max(q, double{std::numeric_limits<float>::min()})));
    }
    if (p.explore_slots > 0) {
      slots[j] = fixed_explore ? kSlotExplore : kSlotExploit;
    } else {
      slots[j] = in_greedy_list[c] ? kSlotExploit : kSlotExplore;
    }
  }
}

double calibrate_knob(PolicyKind kind, double budget,
                      const std::function<double(double)>& explore_share) {
  IMINE_CHECK(budget >= 0 && budget <= 1) << "--explore-budget " << budget << " outside [0, 1]";
  if (kind == PolicyKind::kGreedy) return 0;
  // Knob ranges wide enough for scores in [0, 1]; exploration grows with the knob except for
  // squarecb, whose gamma is an exploitation strength.
  double lo = 1e-4, hi = 1e4;
  bool log_scale = true, increasing = kind != PolicyKind::kSquareCb;
  if (kind == PolicyKind::kEpsilon) lo = 0, hi = 1, log_scale = false;
  auto mid = [&](double a, double b) { return log_scale ? std::sqrt(a * b) : 0.5 * (a + b); };
  double best = lo, best_gap = std::numeric_limits<double>::infinity();
  for (int it = 0; it < 40; ++it) {
    const double m = mid(lo, hi);
    const double share = explore_share(m);
    if (std::abs(share - budget) < best_gap) best_gap = std::abs(share - budget), best = m;
    if ((share < budget) == increasing) {
      lo = m;
    } else {
      hi = m;
    }
  }
  return best;
}

}  // namespace imine

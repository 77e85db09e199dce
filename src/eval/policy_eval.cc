#include "imine/eval/policy_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "imine/util/error.h"

namespace imine {

namespace {

enum Sum {
  kPrecision,
  kNdcg,
  kExploitHits,
  kExploitSlots,
  kExploitNdcg,
  kExploreSlots,
  kExploreNewHits,
  kNewRecall,
  kNewUsers,
  kNovelUsers,
  kTruthSurfaced,
  kTruthUsers,
  kNewHits,
  kNumSums
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double a, double b) { return b > 0 ? a / b : kNaN; }

void json_number(std::ostringstream& o, double v) {
  if (std::isfinite(v)) {
    o << v;
  } else {
    o << "null";
  }
}

}  // namespace

PolicyMetricsAccumulator::PolicyMetricsAccumulator(int num_categories, int k)
    : C_(num_categories), k_(k), sums_(kNumSums, 0.0), counts_(1 + num_categories, 0) {
  IMINE_CHECK(k >= 1 && k <= num_categories)
      << "policy metrics: k = " << k << " outside [1, " << num_categories << "]";
}

void PolicyMetricsAccumulator::add(const int32_t* cats, const uint8_t* slots, const uint8_t* target,
                                   const uint8_t* input, const uint8_t* truth) {
  int targets = 0, fresh = 0, unexpressed = 0;
  for (int c = 0; c < C_; ++c) {
    targets += target[c] ? 1 : 0;
    fresh += target[c] && !input[c] ? 1 : 0;
    unexpressed += truth && truth[c] && !input[c] ? 1 : 0;
  }
  double hits = 0, dcg = 0, idcg = 0, exploit_dcg = 0;
  int fresh_hits = 0, truth_hits = 0;
  bool novel = false;
  for (int j = 0; j < k_; ++j) {
    const int c = cats[j];
    IMINE_CHECK(c >= 0 && c < C_) << "policy metrics: category " << c << " out of range";
    const double discount = 1.0 / std::log2(j + 2.0);
    if (j < std::min(k_, targets)) idcg += discount;
    const bool hit = target[c] != 0, is_new = hit && !input[c];
    hits += hit ? 1 : 0;
    dcg += hit ? discount : 0;
    fresh_hits += is_new ? 1 : 0;
    truth_hits += truth && truth[c] && !input[c] ? 1 : 0;
    novel = novel || !input[c];
    ++counts_[1 + c];
    if (slots[j]) {
      sums_[kExploreSlots] += 1;
      sums_[kExploreNewHits] += is_new ? 1 : 0;
    } else {
      sums_[kExploitSlots] += 1;
      sums_[kExploitHits] += hit ? 1 : 0;
      exploit_dcg += hit ? discount : 0;
    }
  }
  ++counts_[0];
  sums_[kPrecision] += hits / k_;
  sums_[kNdcg] += idcg > 0 ? dcg / idcg : 0;
  sums_[kExploitNdcg] += idcg > 0 ? exploit_dcg / idcg : 0;
  sums_[kNewHits] += fresh_hits;
  if (fresh > 0) {
    sums_[kNewUsers] += 1;
    sums_[kNewRecall] += static_cast<double>(fresh_hits) / fresh;
  }
  if (unexpressed > 0) {
    sums_[kTruthUsers] += 1;
    sums_[kTruthSurfaced] += static_cast<double>(truth_hits) / unexpressed;
  }
  sums_[kNovelUsers] += novel ? 1 : 0;
}

PolicyMetrics PolicyMetricsAccumulator::finish() const {
  PolicyMetrics m;
  m.users = counts_[0];
  const double n = static_cast<double>(m.users);
  m.precision_at_k = ratio(sums_[kPrecision], n);
  m.ndcg_at_k = ratio(sums_[kNdcg], n);
  m.exploit_precision_at_k = ratio(sums_[kExploitHits], sums_[kExploitSlots]);
  m.exploit_ndcg_at_k = ratio(sums_[kExploitNdcg], n);
  m.explore_share = ratio(sums_[kExploreSlots], n * k_);
  m.new_interest_hits = static_cast<int64_t>(std::llround(sums_[kNewHits]));
  m.new_interest_hits_per_user = ratio(sums_[kNewHits], n);
  m.explore_new_interest_rate = ratio(sums_[kExploreNewHits], sums_[kExploreSlots]);
  m.new_interest_recall = ratio(sums_[kNewRecall], sums_[kNewUsers]);
  std::vector<int64_t> exposure(counts_.begin() + 1, counts_.end());
  m.distinct_categories =
      std::count_if(exposure.begin(), exposure.end(), [](int64_t v) { return v > 0; });
  m.exposure_gini = gini(exposure);
  m.novel_user_share = ratio(sums_[kNovelUsers], n);
  m.truth_surfaced = ratio(sums_[kTruthSurfaced], sums_[kTruthUsers]);
  return m;
}

std::string to_json_fields(const PolicyMetrics& m, const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + "_";
  std::ostringstream o;
  o.precision(6);
  const std::pair<const char*, double> fields[] = {
      {"precision_at_k", m.precision_at_k},
      {"ndcg_at_k", m.ndcg_at_k},
      {"exploit_precision_at_k", m.exploit_precision_at_k},
      {"exploit_ndcg_at_k", m.exploit_ndcg_at_k},
      {"explore_share", m.explore_share},
      {"new_interest_hits_per_user", m.new_interest_hits_per_user},
      {"explore_new_interest_rate", m.explore_new_interest_rate},
      {"new_interest_recall", m.new_interest_recall},
      {"exposure_gini", m.exposure_gini},
      {"novel_user_share", m.novel_user_share},
      {"truth_surfaced", m.truth_surfaced},
  };
  o << "\"" << p << "users\":" << m.users << ",\"" << p
    << "new_interest_hits\":" << m.new_interest_hits << ",\"" << p
    << "distinct_categories\":" << m.distinct_categories;
  for (const auto& [name, v] : fields) {
    o << ",\"" << p << name << "\":";
    json_number(o, v);
  }
  return o.str();
}

OpeAccumulator::OpeAccumulator(int k) : k_(k), sums_(2 + 3 * static_cast<size_t>(k), 0.0) {}

void OpeAccumulator::add(const OpeSlot* slots) {
  double rho_prev = 1;
  sums_[0] += 1;
  for (int j = 0; j < k_; ++j) {
    const OpeSlot& s = slots[j];
    IMINE_CHECK(s.logged_propensity > 0)
        << "off-policy estimate: slot " << j << " has propensity " << s.logged_propensity;
    const double rho = rho_prev * s.target_probability / s.logged_propensity;
    sums_[1] += s.reward / k_;
    double* slot = sums_.data() + 2 + 3 * static_cast<size_t>(j);
    slot[0] += rho * s.reward;
    slot[1] += rho;
    slot[2] += rho_prev * s.q_target + rho * (s.reward - s.q_logged);
    rho_prev = rho;
  }
}

OpeEstimates OpeAccumulator::finish() const {
  OpeEstimates e;
  const double n = sums_[0];
  e.users = static_cast<int64_t>(std::llround(n));
  if (n <= 0) {
    e.logged = e.ips = e.snips = e.dr = kNaN;
    return e;
  }
  e.logged = sums_[1] / n;
  for (int j = 0; j < k_; ++j) {
    const double* slot = sums_.data() + 2 + 3 * static_cast<size_t>(j);
    e.ips += slot[0] / n / k_;
    // A position whose weights are all 0 (B never reaches the logged histories) has no
    // self-normalised estimate; it contributes 0 like IPS does.
    e.snips += slot[1] > 0 ? slot[0] / slot[1] / k_ : 0.0;
    e.dr += slot[2] / n / k_;
  }
  return e;
}

double gini(const std::vector<int64_t>& counts) {
  std::vector<double> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  double total = 0, weighted = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    total += v[i];
    weighted += (2.0 * (i + 1) - n - 1) * v[i];
  }
  return total > 0 && n > 0 ? weighted / (n * total) : kNaN;
}

}  // namespace imine

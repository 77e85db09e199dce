#include "imine/privacy/dp_sgd.h"

#include <algorithm>
#include <sstream>

#include "imine/privacy/accountant.h"
#include "imine/util/error.h"

namespace imine {

namespace {
constexpr double kMaxSigma = 1000.0;
}

DpPlan plan_dp(const DpConfig& c, int64_t num_train_users, int64_t batch_size,
               int64_t planned_steps) {
  IMINE_CHECK(c.clip > 0) << "--dp-clip must be positive to train with differential privacy";
  IMINE_CHECK((c.noise_multiplier > 0) != (c.target_epsilon > 0))
      << "DP-SGD needs exactly one of --dp-noise-multiplier and --dp-target-epsilon";
  IMINE_CHECK(num_train_users > 0) << "DP-SGD: no training users";
  IMINE_CHECK(c.delta > 0 && c.delta < 1.0 / static_cast<double>(num_train_users))
      << "--dp-delta " << c.delta
      << " must be in (0, 1 / training users = " << 1.0 / static_cast<double>(num_train_users)
      << "): a larger delta allows publishing a whole user's data";
  DpPlan p;
  p.q = std::min(1.0, static_cast<double>(batch_size) / static_cast<double>(num_train_users));
  p.expected_batch = p.q * static_cast<double>(num_train_users);
  p.clip = c.clip;
  p.delta = c.delta;
  p.planned_steps = planned_steps;
  const auto orders = rdp_orders(OrderList::kDpAccounting);
  if (c.noise_multiplier > 0) {
    p.sigma = c.noise_multiplier;
  } else {
    auto s = noise_multiplier_for_epsilon(c.target_epsilon, p.q, planned_steps, c.delta, orders,
                                          kMaxSigma);
    IMINE_CHECK(s.has_value()) << "--dp-target-epsilon " << c.target_epsilon << ": even noise "
                               << "multiplier " << kMaxSigma << " spends more over "
                               << planned_steps << " steps (fewer epochs or a larger batch)";
    p.sigma = *s;
  }
  p.planned_epsilon = dp_epsilon_after(p, planned_steps);
  return p;
}

double dp_epsilon_after(const DpPlan& plan, int64_t steps) {
  if (steps <= 0) return 0.0;
  return dp_sgd_epsilon(plan.q, plan.sigma, steps, plan.delta, rdp_orders(OrderList::kDpAccounting))
      .epsilon;
}

void noise_and_average(const DpPlan& plan, const NoiseKey& key, int64_t step,
                       const std::vector<std::pair<size_t, size_t>>& slices, float* grads,
                       size_t num_params) {
  const double stddev = plan.sigma * plan.clip;
  for (size_t j = 0; j < slices.size(); ++j) {
    IMINE_CHECK(slices[j].first + slices[j].second <= num_params) << "DP-SGD: slice outside";
    add_gaussian_noise(key, static_cast<uint64_t>(step), j, stddev, grads + slices[j].first,
                       slices[j].second);
  }
  const float inv = static_cast<float>(1.0 / plan.expected_batch);
  for (size_t i = 0; i < num_params; ++i) grads[i] *= inv;
}

std::string describe(const DpPlan& p) {
  std::ostringstream o;
  o << "DP-SGD: sampling rate " << p.q << " (expected batch " << p.expected_batch
    << "), noise multiplier " << p.sigma << ", clip " << p.clip << "; epsilon " << p.planned_epsilon
    << " at delta " << p.delta << " after " << p.planned_steps << " steps";
  return o.str();
}

}  // namespace imine

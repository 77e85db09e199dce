#include "imine/privacy/accountant.h"

#include <cmath>
#include <limits>

#include "imine/privacy/rdp.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// 1 + x / 10 for x = 1..99, computed as the Python lists do so the orders are the same doubles.
void add_tenths(std::vector<double>* orders) {
  for (int x = 1; x < 100; ++x) orders->push_back(1 + x / 10.0);
}

void add_range(std::vector<double>* orders, int from, int to_exclusive) {
  for (int a = from; a < to_exclusive; ++a) orders->push_back(a);
}

}  // namespace

std::vector<double> rdp_orders(OrderList list) {
  std::vector<double> orders;
  switch (list) {
    case OrderList::kDpAccounting:
      add_tenths(&orders);
      add_range(&orders, 11, 64);
      orders.insert(orders.end(), {128, 256, 512, 1024});
      break;
    case OrderList::kOpacus:
      add_tenths(&orders);
      add_range(&orders, 12, 64);
      break;
    case OrderList::kTfPrivacy:
      orders = {1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5};
      add_range(&orders, 5, 64);
      orders.insert(orders.end(), {128, 256, 512});
      break;
  }
  return orders;
}

const char* order_list_name(OrderList list) {
  switch (list) {
    case OrderList::kDpAccounting:
      return "dp-accounting";
    case OrderList::kOpacus:
      return "opacus";
    case OrderList::kTfPrivacy:
      return "tf-privacy";
  }
  return "?";
}

OrderList parse_order_list(const std::string& name) {
  for (OrderList l : {OrderList::kDpAccounting, OrderList::kOpacus, OrderList::kTfPrivacy})
    if (name == order_list_name(l)) return l;
  IMINE_FAIL() << "unknown RDP order list '" << name
               << "' (expected dp-accounting, opacus or tf-privacy)";
}

PrivacySpent epsilon_from_rdp(const std::vector<double>& orders, const std::vector<double>& rdp,
                              double delta, RdpConversion conversion) {
  IMINE_CHECK(orders.size() == rdp.size())
      << orders.size() << " RDP orders but " << rdp.size() << " RDP values";
  IMINE_CHECK(!orders.empty()) << "no RDP orders to convert";
  IMINE_CHECK(delta > 0 && delta < 1) << "delta " << delta << " is not in (0, 1)";
  PrivacySpent best{std::numeric_limits<double>::infinity(),
                    std::numeric_limits<double>::quiet_NaN()};
  const double log_delta = std::log(delta);
  for (size_t k = 0; k < orders.size(); ++k) {
    const double a = orders[k], r = rdp[k];
    IMINE_CHECK(a > 1) << "RDP order " << a << " is not > 1";
    IMINE_CHECK(r >= 0) << "RDP value " << r << " at order " << a << " is negative or NaN";
    double eps = 0;
    if (conversion == RdpConversion::kBalle2020)
      eps = r + std::log1p(-1 / a) - (log_delta + std::log(a)) / (a - 1);
    else
      eps = r - log_delta / (a - 1);
    if (eps < best.epsilon) best = {eps, a};
  }
  if (best.epsilon < 0) best.epsilon = 0;
  return best;
}

PrivacySpent dp_sgd_epsilon(double q, double sigma, int64_t steps, double delta,
                            const std::vector<double>& orders, RdpConversion conversion) {
  return epsilon_from_rdp(orders, compute_rdp(q, sigma, steps, orders), delta, conversion);
}

std::optional<double> noise_multiplier_for_epsilon(double target_epsilon, double q, int64_t steps,
                                                   double delta, const std::vector<double>& orders,
                                                   double max_sigma) {
  IMINE_CHECK(target_epsilon > 0 && std::isfinite(target_epsilon))
      << "target epsilon " << target_epsilon << " is not a finite number > 0";
  IMINE_CHECK(max_sigma > 0 && std::isfinite(max_sigma))
      << "largest noise multiplier " << max_sigma << " is not a finite number > 0";
  auto meets = [&](double sigma) {
    return dp_sgd_epsilon(q, sigma, steps, delta, orders).epsilon <= target_epsilon;
  };
  if (!meets(max_sigma)) return std::nullopt;
  // With q = 0 or no steps nothing is spent and no noise is needed.
  if (meets(0)) return 0.0;
  // Invariant: epsilon(lo) > target, epsilon(hi) <= target.
  double lo = 0, hi = max_sigma;
  for (int it = 0; it < 200 && hi - lo > 1e-10 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (meets(mid) ? hi : lo) = mid;
  }
  return hi;
}

int64_t steps_for_epochs(double epochs, double q) {
  IMINE_CHECK(epochs > 0 && std::isfinite(epochs))
      << "epochs " << epochs << " is not a finite number > 0";
  IMINE_CHECK(q > 0 && q <= 1) << "sampling rate " << q << " is not in (0, 1]";
  const double steps = epochs / q;
  IMINE_CHECK(steps <= 1e15) << "epochs / sampling rate = " << steps << " steps is too many";
  const double nearest = std::round(steps);
  if (std::fabs(steps - nearest) <= 1e-9 * std::max(1.0, nearest)) return int64_t(nearest);
  return int64_t(std::ceil(steps));
}

}  // namespace imine

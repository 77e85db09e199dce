// The RDP accountant of DP-SGD with Poisson sampling: the standard lists of RDP orders, the
// conversion from RDP to (epsilon, delta)-DP, epsilon for a planned run, and the noise
// multiplier that reaches a target epsilon. See docs/privacy.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imine {

// Published lists of RDP orders. Any order gives a valid bound, so a longer list can only
// lower epsilon; the named lists exist to reproduce the libraries' figures exactly.
enum class OrderList {
  kDpAccounting,  // dp_accounting RdpAccountant default: 1.1..10.9 by 0.1, 11..63, 128..1024
  kOpacus,        // Opacus RDPAccountant default: 1.1..10.9 by 0.1, 12..63
  kTfPrivacy,     // TF Privacy compute_dp_sgd_privacy: 1.25..4.5, 5..63, 128, 256, 512
};
std::vector<double> rdp_orders(OrderList list);
// "dp-accounting", "opacus", "tf-privacy" and back; the parser throws on other names.
const char* order_list_name(OrderList list);
OrderList parse_order_list(const std::string& name);

enum class RdpConversion {
  // eps = rdp + log((a-1)/a) - (log delta + log a) / (a-1): Balle et al. 2020, Theorem 21;
  // what Opacus' get_privacy_spent and dp_accounting's compute_epsilon use.
  kBalle2020,
  // eps = rdp - log(delta) / (a-1): Mironov 2017, Proposition 3; looser, kept to reproduce
  // figures published with it (TF Privacy before 2020).
  kMironov2017,
};

struct PrivacySpent {
  double epsilon = 0;  // +inf when no order gives a finite bound
  double order = 0;    // the order attaining the minimum; NaN when epsilon is +inf
};

// min over orders of the conversion, clamped at 0 (a bound below 0 still only says 0). The
// first order wins ties. orders and rdp have equal sizes; orders > 1; delta in (0, 1).
PrivacySpent epsilon_from_rdp(const std::vector<double>& orders, const std::vector<double>& rdp,
                              double delta, RdpConversion conversion = RdpConversion::kBalle2020);

// (epsilon, delta) of `steps` DP-SGD steps with sampling rate q and noise multiplier sigma.
PrivacySpent dp_sgd_epsilon(double q, double sigma, int64_t steps, double delta,
                            const std::vector<double>& orders,
                            RdpConversion conversion = RdpConversion::kBalle2020);

// The smallest noise multiplier in (0, max_sigma] whose epsilon is <= target_epsilon, by
// bisection on the (decreasing) epsilon(sigma) to a relative width of 1e-10; the result is the
// upper end of the final bracket, so it does meet the target. nullopt when even max_sigma
// does not.
std::optional<double> noise_multiplier_for_epsilon(double target_epsilon, double q, int64_t steps,
                                                   double delta, const std::vector<double>& orders,
                                                   double max_sigma);

// Steps of `epochs` passes when each step samples a share q: epochs / q, rounded up (more steps
// never understate epsilon) unless it is an integer up to float rounding (90 / 0.04 is
// 2250.0000000000005 in doubles and means 2250).
int64_t steps_for_epochs(double epochs, double q);

}  // namespace imine

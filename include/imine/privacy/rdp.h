// Rényi differential privacy (RDP) of the Poisson-subsampled Gaussian mechanism, the mechanism
// of DP-SGD: each example joins a step's batch independently with probability q, the clipped
// per-example gradients (L2 norm <= C) are summed and Gaussian noise of standard deviation
// sigma * C is added. Adjacency is add/remove one example. Pure math, no MPI; see
// docs/privacy.md for the formulas and references.
#pragma once

#include <cstdint>
#include <vector>

namespace imine {

// RDP epsilon of ONE step at order `order` (> 1, integer or fractional), with sampling rate
// q in [0, 1] and noise multiplier sigma >= 0 (noise std / L2 sensitivity):
//   q == 0 -> 0 (no example is ever used), sigma == 0 -> +inf (no privacy),
//   q == 1 -> order / (2 sigma^2) (the plain Gaussian mechanism),
//   otherwise log(A_order) / (order - 1) with A_order of Mironov, Talwar, Zhang (2019), by the
//   binomial expansion for integer orders and the two-series erfc expansion for fractional ones.
// Throws Error on arguments out of range.
double subsampled_gaussian_rdp(double q, double sigma, double order);

// RDP of `steps` compositions (RDP adds up over steps) at every order; values may be +inf.
std::vector<double> compute_rdp(double q, double sigma, int64_t steps,
                                const std::vector<double>& orders);

// log(erfc(x)), accurate where erfc(x) underflows (x up to ~1e150). Exposed for tests.
double log_erfc(double x);

}  // namespace imine

#include "imine/privacy/rdp.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "imine/util/error.h"

namespace imine {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Integer orders are summed term by term; beyond this the loop would be the cost, and no
// accountant needs orders this large (the standard lists stop at 1024).
constexpr double kMaxOrder = 1e6;
// The fractional series stops once both new terms are below e^-30 (as TF Privacy and Opacus
// do); it converges long before this many terms for any order below kMaxOrder.
constexpr int64_t kMaxSeriesTerms = 10'000'000;

// log(e^a + e^b) without overflow; -inf stands for 0.
double log_add(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -kInf) return a;
  return a + std::log1p(std::exp(b - a));
}

// log(e^a - e^b) for a >= b. Written as a + log(1 - e^(b-a)) so it cannot overflow.
double log_sub(double a, double b, double q, double sigma, double order) {
  if (b == -kInf) return a;
  if (a == b) return -kInf;
  IMINE_CHECK(a > b) << "RDP series of the subsampled Gaussian lost precision (q " << q
                     << ", sigma " << sigma << ", order " << order << ")";
  return a + std::log(-std::expm1(b - a));
}

// log(A_alpha) for integer alpha, 0 < q < 1: the binomial expansion
//   A_alpha = sum_i C(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2)),
// summed in log space around the largest term.
double log_a_int(double q, double sigma, int64_t alpha) {
  const double log_q = std::log(q), log_1q = std::log1p(-q);
  const double lg_alpha = std::lgamma(double(alpha) + 1);
  const double inv_2s2 = 1.0 / (2 * sigma * sigma);
  std::vector<double> terms(size_t(alpha) + 1);
  double top = -kInf;
  for (int64_t i = 0; i <= alpha; ++i) {
    const double di = double(i), dj = double(alpha - i);
    const double log_binom = lg_alpha - std::lgamma(di + 1) - std::lgamma(dj + 1);
    terms[size_t(i)] = log_binom + di * log_q + dj * log_1q + (di * di - di) * inv_2s2;
    top = std::max(top, terms[size_t(i)]);
  }
  if (top == kInf) return kInf;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

// log(A_alpha) for fractional alpha, 0 < q < 1 (Mironov, Talwar, Zhang 2019, Sec. 3.3): the
// integral splits at z0 where the two mixture densities cross, and each half becomes a
// binomial series in which erfc gives the Gaussian tail beyond z0. Coefficients of the
// generalised binomial alternate in sign once i > alpha, hence the signed log-space sums.
double log_a_frac(double q, double sigma, double alpha) {
  const double log_q = std::log(q), log_1q = std::log1p(-q);
  const double z0 = sigma * sigma * std::log(1 / q - 1) + 0.5;
  const double inv_2s2 = 1.0 / (2 * sigma * sigma);
  const double scale = std::sqrt(2.0) * sigma;
  const double log_half = std::log(0.5);
  double log_a0 = -kInf, log_a1 = -kInf;
  // C(alpha, i) as log|C| and sign, by C(alpha, i+1) = C(alpha, i) (alpha - i) / (i + 1).
  double log_coef = 0;
  bool positive = true;
  for (int64_t i = 0;; ++i) {
    const double di = double(i), j = alpha - di;
    const double log_t0 = log_coef + di * log_q + j * log_1q;
    const double log_t1 = log_coef + j * log_q + di * log_1q;
    const double log_e0 = log_half + log_erfc((di - z0) / scale);
    const double log_e1 = log_half + log_erfc((z0 - j) / scale);
    const double log_s0 = log_t0 + (di * di - di) * inv_2s2 + log_e0;
    const double log_s1 = log_t1 + (j * j - j) * inv_2s2 + log_e1;
    if (positive) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      log_a0 = log_sub(log_a0, log_s0, q, sigma, alpha);
      log_a1 = log_sub(log_a1, log_s1, q, sigma, alpha);
    }
    if (std::max(log_s0, log_s1) < -30) break;
    IMINE_CHECK(i < kMaxSeriesTerms) << "RDP series of the subsampled Gaussian did not converge (q "
                                     << q << ", sigma " << sigma << ", order " << alpha << ")";
    const double factor = alpha - di;
    log_coef += std::log(std::fabs(factor)) - std::log(di + 1);
    if (factor < 0) positive = !positive;
  }
  return log_add(log_a0, log_a1);
}

}  // namespace

double log_erfc(double x) {
  // erfc underflows near x = 26.5; from x = 20 on use the asymptotic expansion
  //   erfc(x) = exp(-x^2) / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3 + ...),
  // whose omitted terms are below 1e-15 relative there.
  if (x < 20) return std::log(std::erfc(x));
  const double u = 1 / (2 * x * x);
  double term = 1, series = 1;
  for (int k = 1; k <= 8; ++k) {
    term *= -(2 * k - 1) * u;
    series += term;
  }
  return -x * x - std::log(x) - 0.5 * std::log(M_PI) + std::log(series);
}

double subsampled_gaussian_rdp(double q, double sigma, double order) {
  IMINE_CHECK(q >= 0 && q <= 1) << "sampling rate " << q << " is not in [0, 1]";
  IMINE_CHECK(sigma >= 0 && std::isfinite(sigma))
      << "noise multiplier " << sigma << " is not a finite number >= 0";
  IMINE_CHECK(order > 1 && (order <= kMaxOrder || order == kInf))
      << "RDP order " << order << " is not in (1, " << kMaxOrder << "] or infinite";
  if (q == 0) return 0;
  // A noise multiplier so small that 1 / (2 sigma^2) overflows gives no privacy either.
  if (sigma == 0 || !std::isfinite(1 / (2 * sigma * sigma))) return kInf;
  if (q == 1) return order / (2 * sigma * sigma);
  if (order == kInf) return kInf;
  const double log_a = std::floor(order) == order ? log_a_int(q, sigma, int64_t(order))
                                                  : log_a_frac(q, sigma, order);
  return log_a / (order - 1);
}

std::vector<double> compute_rdp(double q, double sigma, int64_t steps,
                                const std::vector<double>& orders) {
  IMINE_CHECK(steps >= 0) << "number of steps " << steps << " is negative";
  std::vector<double> rdp(orders.size(), 0.0);
  for (size_t k = 0; k < orders.size(); ++k) {
    const double one = subsampled_gaussian_rdp(q, sigma, orders[k]);
    // Zero steps cost nothing even where one step is infinite (inf * 0 would be NaN).
    rdp[k] = steps == 0 ? 0.0 : one * double(steps);
  }
  return rdp;
}

}  // namespace imine

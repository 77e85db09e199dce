// Finite-difference helpers shared by the nn tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>

#include "imine/nn/eigen.h"
#include "imine/util/rng.h"

namespace imine {
namespace testing_nn {

inline Eigen::MatrixXf random_matrix(int rows, int cols, uint64_t key, float scale = 1.0f) {
  Rng rng(12345, kStreamBench, key);
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = scale * static_cast<float>(rng.normal());
  return m;
}

// sum(r .* y) in double: a loss whose gradient with respect to y is exactly r.
inline double weighted_sum(const Eigen::MatrixXf& y, const Eigen::MatrixXf& r) {
  return (y.cast<double>().array() * r.cast<double>().array()).sum();
}

// Compares analytic[i] with the central difference of f() when values[i] moves by +-eps.
// Tolerance: 1e-2 relative plus `abs_tol` for entries whose gradient is near zero.
inline void expect_gradient_matches(float* values, const float* analytic, size_t n,
                                    const std::function<double()>& f, float eps,
                                    const std::string& what, double abs_tol = 1e-3) {
  size_t bad = 0;
  double max_abs = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const float saved = values[i];
    values[i] = saved + eps;
    const double up = f();
    values[i] = saved - eps;
    const double down = f();
    values[i] = saved;
    const double numeric = (up - down) / (2.0 * static_cast<double>(eps));
    const double a = analytic[i];
    max_abs = std::max(max_abs, std::abs(a));
    const double tol = 1e-2 * std::max(std::abs(a), std::abs(numeric)) + abs_tol;
    if (std::abs(a - numeric) > tol && bad++ < 5) {
      ADD_FAILURE() << what << "[" << i << "]: analytic " << a << " numeric " << numeric;
    }
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << n << " entries differ";
  // A check against an all-zero gradient would pass trivially.
  EXPECT_GT(max_abs, 10 * abs_tol) << what << ": gradient is (nearly) zero everywhere";
}

}  // namespace testing_nn
}  // namespace imine

#include "imine/features/normalizer.h"

#include <algorithm>
#include <cmath>

#include "imine/util/error.h"

namespace imine {

namespace {
constexpr double kStdFloor = 1e-6;
// Relative spread (std / rms) below which a feature is treated as constant: float features
// carry ~7 significant digits, so anything smaller is representation noise.
constexpr double kConstantRelStd = 1e-6;
}  // namespace

NormStats::NormStats(size_t dim) : dim_(dim), acc_(1 + 2 * dim, 0.0) {}

void NormStats::add(const float* row) {
  acc_[0] += 1.0;
  double* sum = acc_.data() + 1;
  double* sq = sum + dim_;
  for (size_t i = 0; i < dim_; ++i) {
    const double x = row[i];
    sum[i] += x;
    sq[i] += x * x;
  }
}

void NormStats::merge(const NormStats& other) {
  IMINE_CHECK(other.dim_ == dim_) << "normalizer: cannot merge statistics of " << other.dim_
                                  << " features into " << dim_;
  for (size_t i = 0; i < acc_.size(); ++i) acc_[i] += other.acc_[i];
}

void NormStats::set_raw(const std::vector<double>& raw) {
  IMINE_CHECK(raw.size() == acc_.size())
      << "normalizer: raw accumulator has " << raw.size() << " values, expected " << acc_.size();
  acc_ = raw;
  finalized_ = false;
}

void NormStats::finalize() {
  const double n = acc_[0];
  IMINE_CHECK(n > 0) << "normalizer: no feature rows to compute statistics from";
  mean_.assign(dim_, 0.0);
  std_.assign(dim_, 1.0);
  const double* sum = acc_.data() + 1;
  const double* sq = sum + dim_;
  for (size_t i = 0; i < dim_; ++i) {
    const double m = sum[i] / n;
    const double mean_sq = sq[i] / n;
    const double var = std::max(0.0, mean_sq - m * m);
    mean_[i] = m;
    if (var <= kConstantRelStd * kConstantRelStd * mean_sq) {
      std_[i] = 1.0;
    } else {
      std_[i] = std::max(std::sqrt(var), kStdFloor);
    }
  }
  cache_floats();
}

void NormStats::restore(const std::vector<double>& mean, const std::vector<double>& stddev) {
  IMINE_CHECK(mean.size() == dim_ && stddev.size() == dim_)
      << "normalizer: saved mean/std have " << mean.size() << "/" << stddev.size()
      << " values, expected " << dim_;
  for (size_t i = 0; i < dim_; ++i) {
    IMINE_CHECK(std::isfinite(mean[i]) && std::isfinite(stddev[i]) && stddev[i] > 0)
        << "normalizer: saved statistics of feature " << i << " are invalid (mean " << mean[i]
        << ", std " << stddev[i] << ")";
  }
  mean_ = mean;
  std_ = stddev;
  cache_floats();
}

void NormStats::cache_floats() {
  mean_f_.resize(dim_);
  inv_std_f_.resize(dim_);
  for (size_t i = 0; i < dim_; ++i) {
    mean_f_[i] = static_cast<float>(mean_[i]);
    inv_std_f_[i] = static_cast<float>(1.0 / std_[i]);
  }
  finalized_ = true;
}

void NormStats::apply(float* row) const {
  IMINE_CHECK(finalized_) << "normalizer: statistics used before finalize() or restore()";
  for (size_t i = 0; i < dim_; ++i) row[i] = (row[i] - mean_f_[i]) * inv_std_f_[i];
}

}  // namespace imine

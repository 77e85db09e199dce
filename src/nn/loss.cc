#include "imine/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "imine/util/error.h"

namespace imine {

namespace {

void check_shapes(const char* loss, const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets) {
  IMINE_CHECK(logits.rows() == targets.rows() && logits.cols() == targets.cols())
      << loss << " loss: logits are " << logits.rows() << "x" << logits.cols()
      << " but targets are " << targets.rows() << "x" << targets.cols();
}

// sigmoid without overflow: exp is only ever taken of a non-positive number.
inline double stable_sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

namespace {

// exp(x) for x <= 0 and log1p(e) for e in [0, 1], in double to about 1e-16 relative, written
// without libm calls or branches so the compiler vectorises the BCE loop (the libm versions
// are scalar calls and made the loss cost as much as the whole small model's products).
inline double exp_nonpositive(double x) {
  x = std::max(x, -708.0);  // 2^k stays a normal number
  // Adding 1.5 * 2^52 rounds x / ln2 to the nearest integer k and leaves k in the low mantissa
  // bits, so 2^k is built from those bits without a (non-vectorising) double-to-int conversion.
  const double shifted = x * 1.4426950408889634 + 0x1.8p52;
  const double k = shifted - 0x1.8p52;
  // Cody-Waite: ln2_hi has trailing zero bits, so k * ln2_hi is exact.
  const double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  // Taylor series to r^13 on |r| <= ln2 / 2 (truncation below 1e-17).
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const uint64_t bits = (__builtin_bit_cast(uint64_t, shifted) + 1023) << 52;
  return p * __builtin_bit_cast(double, bits);
}

inline double log1p_unit(double e) {
  // log(1 + e) = 2 atanh(s) with s = e / (2 + e) in [0, 1/3]: 2 s sum s^2i / (2i + 1).
  const double s = e / (2.0 + e);
  const double w = s * s;
  double p = 1.0 / 37;
#pragma GCC unroll 18
  for (int i = 17; i >= 0; --i) p = p * w + 1.0 / (2 * i + 1);
  return 2.0 * s * p;
}

template <bool kGrad>
double bce_sum(const float* z, const float* y, float* d, Eigen::Index n) {
  constexpr Eigen::Index kBlock = 256;
  // Per block: widen to double, compute elementwise, narrow back; each loop vectorises on its
  // own (one loop mixing float and double lanes does not).
  alignas(64) double zd[kBlock], yd[kBlock], terms[kBlock], grad[kBlock];
  double sum = 0.0;
  for (Eigen::Index at = 0; at < n; at += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - at);
    for (Eigen::Index i = 0; i < len; ++i) zd[i] = z[at + i];
    for (Eigen::Index i = 0; i < len; ++i) yd[i] = y[at + i];
    for (Eigen::Index i = 0; i < len; ++i) {
      const double zi = zd[i];
      // log(1 + exp(z)) - y z, rewritten so exp never sees a positive argument.
      const double e = exp_nonpositive(-std::abs(zi));
      terms[i] = std::max(zi, 0.0) - zi * yd[i] + log1p_unit(e);
      // sigmoid(z) = 1 / (1 + e) for z >= 0, e / (1 + e) otherwise.
      grad[i] = (zi >= 0 ? 1.0 : e) / (1.0 + e) - yd[i];
    }
    if (kGrad) {
      for (Eigen::Index i = 0; i < len; ++i) d[at + i] = static_cast<float>(grad[i]);
    }
    // Summed in order, separately, because a vectorised loop may not reorder the sum.
    for (Eigen::Index i = 0; i < len; ++i) sum += terms[i];
  }
  return sum;
}

}  // namespace

double bce_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                    Eigen::MatrixXf* dlogits) {
  check_shapes("bce", logits, targets);
  if (!dlogits) return bce_sum<false>(logits.data(), targets.data(), nullptr, logits.size());
  dlogits->resize(logits.rows(), logits.cols());
  return bce_sum<true>(logits.data(), targets.data(), dlogits->data(), logits.size());
}

double softmax_ce_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                           Eigen::MatrixXf* dlogits) {
  check_shapes("softmax_ce", logits, targets);
  if (dlogits) dlogits->resize(logits.rows(), logits.cols());
  const Eigen::Index rows = logits.rows();
  double sum = 0.0;
  for (Eigen::Index j = 0; j < logits.cols(); ++j) {
    const float* z = logits.col(j).data();
    const float* t = targets.col(j).data();
    double tsum = 0.0;
    for (Eigen::Index i = 0; i < rows; ++i) {
      IMINE_CHECK(t[i] >= 0.0f) << "softmax_ce loss: negative target " << t[i] << " at output " << i
                                << " of sample " << j;
      tsum += t[i];
    }
    if (tsum <= 0.0) {
      if (dlogits) dlogits->col(j).setZero();
      continue;
    }
    double zmax = z[0];
    for (Eigen::Index i = 1; i < rows; ++i) zmax = std::max(zmax, static_cast<double>(z[i]));
    double expsum = 0.0;
    for (Eigen::Index i = 0; i < rows; ++i) expsum += std::exp(z[i] - zmax);
    const double lse = zmax + std::log(expsum);
    // With q = t / sum(t) summing to 1: -sum q (z - lse) = lse - sum q z.
    double qz = 0.0;
    for (Eigen::Index i = 0; i < rows; ++i) qz += t[i] / tsum * z[i];
    sum += lse - qz;
    if (dlogits) {
      float* d = dlogits->col(j).data();
      for (Eigen::Index i = 0; i < rows; ++i) {
        d[i] = static_cast<float>(std::exp(z[i] - lse) - t[i] / tsum);
      }
    }
  }
  return sum;
}

double mse_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                    Eigen::MatrixXf* dlogits) {
  check_shapes("mse", logits, targets);
  if (dlogits) dlogits->resize(logits.rows(), logits.cols());
  double sum = 0.0;
  const Eigen::Index n = logits.size();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = static_cast<double>(logits.data()[i]) - targets.data()[i];
    sum += r * r;
    if (dlogits) dlogits->data()[i] = static_cast<float>(2.0 * r);
  }
  return sum;
}

Loss Loss::from_name(const std::string& name) {
  if (name == "bce") return Loss(LossKind::kBce);
  if (name == "softmax_ce") return Loss(LossKind::kSoftmaxCe);
  if (name == "mse") return Loss(LossKind::kMse);
  IMINE_FAIL() << "unknown loss '" << name << "' (expected bce, softmax_ce or mse)";
}

const char* Loss::name() const {
  switch (kind_) {
    case LossKind::kBce:
      return "bce";
    case LossKind::kSoftmaxCe:
      return "softmax_ce";
    case LossKind::kMse:
      return "mse";
  }
  return "unknown";
}

double Loss::loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                      Eigen::MatrixXf* dlogits) const {
  switch (kind_) {
    case LossKind::kBce:
      return bce_loss_sum(logits, targets, dlogits);
    case LossKind::kSoftmaxCe:
      return softmax_ce_loss_sum(logits, targets, dlogits);
    case LossKind::kMse:
      return mse_loss_sum(logits, targets, dlogits);
  }
  IMINE_FAIL() << "loss kind " << static_cast<int>(kind_) << " not handled";
}

void Loss::scores(const Eigen::MatrixXf& logits, Eigen::MatrixXf* out) const {
  out->resize(logits.rows(), logits.cols());
  switch (kind_) {
    case LossKind::kBce:
      for (Eigen::Index i = 0; i < logits.size(); ++i) {
        out->data()[i] = static_cast<float>(stable_sigmoid(logits.data()[i]));
      }
      return;
    case LossKind::kSoftmaxCe:
      for (Eigen::Index j = 0; j < logits.cols(); ++j) {
        if (logits.rows() == 0) break;
        const float zmax = logits.col(j).maxCoeff();
        out->col(j).array() = (logits.col(j).array() - zmax).exp();
        out->col(j) /= out->col(j).sum();
      }
      return;
    case LossKind::kMse:
      *out = logits;
      return;
  }
}

}  // namespace imine

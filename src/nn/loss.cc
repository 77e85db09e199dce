#include "imine/nn/loss.h"

#include <algorithm>
#include <cmath>

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

double bce_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                    Eigen::MatrixXf* dlogits) {
  check_shapes("bce", logits, targets);
  if (dlogits) dlogits->resize(logits.rows(), logits.cols());
  double sum = 0.0;
  const Eigen::Index n = logits.size();
  const float* z = logits.data();
  const float* y = targets.data();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double zi = z[i];
    const double yi = y[i];
    // log(1 + exp(z)) - y z, rewritten so exp never sees a positive argument.
    sum += std::max(zi, 0.0) - zi * yi + std::log1p(std::exp(-std::abs(zi)));
    if (dlogits) dlogits->data()[i] = static_cast<float>(stable_sigmoid(zi) - yi);
  }
  return sum;
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

// Training losses over logits [outputs x batch]. Each returns the SUM over samples (and over
// outputs where the loss is elementwise); dlogits = d(sum)/d(logits). The trainer allreduces
// sums and divides by the global sample count.
#pragma once

#include <string>

#include "imine/nn/eigen.h"

namespace imine {

enum class LossKind { kBce, kSoftmaxCe, kMse };

// Multi-label binary cross-entropy on logits, targets in [0, 1]; stable for any logit size.
double bce_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                    Eigen::MatrixXf* dlogits);
// Softmax cross-entropy against the target column normalised to sum 1 (multi-hot or a
// distribution, entries >= 0). Columns whose targets sum to 0 contribute no loss and no
// gradient.
double softmax_ce_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                           Eigen::MatrixXf* dlogits);
// Sum of squared errors (no 1/2 factor): gradient 2 (logit - target).
double mse_loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                    Eigen::MatrixXf* dlogits);

class Loss {
 public:
  explicit Loss(LossKind kind) : kind_(kind) {}
  // "bce", "softmax_ce" or "mse"; throws Error naming the valid choices otherwise.
  static Loss from_name(const std::string& name);

  LossKind kind() const { return kind_; }
  const char* name() const;
  // dlogits may be null when only the value is needed (evaluation). Throws Error on a shape
  // mismatch.
  double loss_sum(const Eigen::MatrixXf& logits, const Eigen::MatrixXf& targets,
                  Eigen::MatrixXf* dlogits) const;
  // The model's prediction in target space: sigmoid (bce), column softmax (softmax_ce) or the
  // logits themselves (mse).
  void scores(const Eigen::MatrixXf& logits, Eigen::MatrixXf* out) const;

 private:
  LossKind kind_;
};

}  // namespace imine

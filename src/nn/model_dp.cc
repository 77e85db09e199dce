// Model::backward_clipped: DP-SGD's per-example clipping for every parameter of the model (the
// Linear stack, the sparse item table, the wide path and the wide item table). One pass finds
// the activation gradients and every example's gradient norm; then each example's gradients
// are scaled by its clip factor and the parameter gradients are formed once, as matrix
// products over the batch, so no per-example gradient is ever materialised.
#include <vector>

#include "imine/nn/fused_mlp.h"
#include "imine/nn/linear.h"
#include "imine/nn/model.h"
#include "imine/nn/per_example.h"
#include "imine/nn/wide.h"
#include "imine/util/error.h"

namespace imine {

void Model::backward_clipped(const Eigen::MatrixXf& dlogits, float clip, Eigen::VectorXf* norms) {
  IMINE_CHECK(input_ != nullptr) << "model " << spec_.describe() << ": backward before forward";
  IMINE_CHECK(clip > 0.0f) << "model " << spec_.describe() << ": clip bound must be positive";
  const Eigen::Index batch = input_->cols();
  IMINE_CHECK(dlogits.rows() == spec_.output_dim && dlogits.cols() == batch)
      << "model " << spec_.describe() << ": logit gradient is " << dlogits.rows() << "x"
      << dlogits.cols() << ", expected " << spec_.output_dim << "x" << batch;
  Eigen::VectorXf norm2 = Eigen::VectorXf::Zero(batch);
  // The wide paths see the logit gradient directly.
  Eigen::VectorXf sparse2;
  if (sparse_) sparse2 = sparse_column_sq_norms(*sparse_input_);
  const Eigen::VectorXf dlogit2 = column_sq_norms(dlogits);
  if (wide_) {
    Eigen::VectorXf x2 = Eigen::VectorXf::Zero(batch);
    for (Eigen::Index j = 0; j < batch; ++j) {
      for (int i : wide_->inputs()) x2(j) += (*input_)(i, j) * (*input_)(i, j);
    }
    norm2 += x2.cwiseProduct(dlogit2);
  }
  if (wide_sparse_) norm2 += sparse2.cwiseProduct(dlogit2);

  std::vector<Eigen::MatrixXf> g;  // Layer chain: dL/d(output) of every Linear, last first
  std::vector<const Linear*> lin;
  if (fused_) {
    fused_->dp_activation_grads(dlogits, norm2.data());
  } else {
    Eigen::MatrixXf cur = dlogits;
    for (size_t i = layers_.size(); i-- > 0;) {
      const auto* l = dynamic_cast<const Linear*>(layers_[i].get());
      if (l == nullptr) {
        cur = layers_[i]->backward(cur, true);  // ReLU or dropout: no parameters
        continue;
      }
      const Eigen::VectorXf g2 = column_sq_norms(cur);
      norm2 += g2.cwiseProduct(column_sq_norms(*l->input())) + g2;
      if (i == 0 && sparse_) norm2 += g2.cwiseProduct(sparse2);
      lin.push_back(l);
      g.push_back(cur);
      if (i > 0) {
        const auto w = params_->param_matrix(l->offset_weight(), l->out(), l->in());
        cur = w.transpose() * g.back();
      }
    }
  }
  const Eigen::VectorXf c = clip_factors(norm2, clip);
  if (norms) *norms = norm2.cwiseSqrt();

  const Eigen::MatrixXf scaled = dlogits * c.asDiagonal();
  if (wide_) wide_->backward(scaled);
  if (wide_sparse_) wide_sparse_->backward(*sparse_input_, scaled);
  if (fused_) {
    fused_->dp_param_grads(scaled, c.data());
  } else {
    for (size_t k = 0; k < g.size(); ++k) {
      const Linear* l = lin[k];
      g[k] = g[k] * c.asDiagonal();
      if (batch == 0) continue;
      params_->grad_matrix(l->offset_weight(), l->out(), l->in()).noalias() +=
          g[k] * l->input()->transpose();
      params_->grad_vec(l->offset_bias(), l->out()) += g[k].rowwise().sum();
    }
    if (sparse_) sparse_->backward(*sparse_input_, g.back());
  }
  // Every gradient is final only now; a reduction hook may start on all of them.
  if (grads_ready_) grads_ready_(0);
}

}  // namespace imine

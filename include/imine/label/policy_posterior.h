// The uncertainty thompson and ucb need: a NeuralLinear posterior head, i.e. a Bayesian linear
// regression per category on the MLP's last hidden layer h (Riquelme et al. 2018). For category
// c, A_c = lambda * I + sum of h h^T over the training users that count as evidence for c
// (train/posterior_head.h), and the posterior standard deviation of a user's score is
// sigma_c = sqrt(h^T A_c^-1 h): large for users unlike the evidence and for categories with
// little of it. The score itself (the posterior mean) stays the model's own output.
#pragma once

#include <cstdint>
#include <vector>

#include "imine/features/item_features.h"
#include "imine/nn/eigen.h"
#include "imine/nn/model.h"

namespace imine {

struct PosteriorHead {
  int num_categories = 0;
  int hidden = 0;                // H, the width of the model's last hidden layer
  std::vector<float> cov;        // [C, H, H]: A_c^-1, one symmetric H x H block per category
  std::vector<double> evidence;  // [C]: training users that counted as evidence for c
  bool empty() const { return cov.empty(); }
  // h is [H x m] (one user per column); writes sigma [m x C] row-major (user-major).
  void sigma(const Eigen::MatrixXf& h, float* out) const;
};

// The model's last hidden layer (the output Linear's input) for dense inputs x [input_dim x m]
// and, when the model has a sparse input, rows [first_row, first_row + m) of `items`
// (TF-IDF weighted). Computed from the parameters with the Layer chain's formula (eval mode, no
// dropout), so it needs no access to the forward path's internals. Returns [H x m]; without
// hidden layers that is x itself.
Eigen::MatrixXf last_hidden(const Model& model, const Eigen::MatrixXf& x, const SparseRows* items,
                            size_t first_row);

}  // namespace imine

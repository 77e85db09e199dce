// Per-example gradient norms for DP-SGD without per-example gradients. For a linear map
// y = W a (+ b) the gradient of example j is the outer product g_j a_j^T, whose Frobenius norm
// is ||g_j|| ||a_j|| (and the bias adds ||g_j||^2), so the squared norm of the whole
// per-example gradient is a sum of products of column norms (Goodfellow 2015, "Efficient
// per-example gradient computations").
#pragma once

#include "imine/nn/eigen.h"
#include "imine/nn/sparse_linear.h"

namespace imine {

// Squared Euclidean norm of every column of m ([rows x batch] -> [batch]).
Eigen::VectorXf column_sq_norms(const Eigen::MatrixXf& m);
// Squared norm of every sparse column, duplicate indices summed first (the product adds them
// into one table row, so the per-example gradient has their sum there).
Eigen::VectorXf sparse_column_sq_norms(const SparseBatch& x);
// min(1, clip / sqrt(norm2_j)) for every example: the factor that clips its gradient to clip.
Eigen::VectorXf clip_factors(const Eigen::VectorXf& norm2, float clip);

}  // namespace imine

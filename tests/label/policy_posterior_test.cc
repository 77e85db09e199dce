#include "imine/label/policy_posterior.h"

#include <gtest/gtest.h>

#include "imine/features/item_features.h"
#include "imine/nn/model.h"
#include "imine/nn/sparse_linear.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

Eigen::MatrixXf random_input(int rows, int cols, uint64_t seed) {
  Rng rng(seed, 0, 0, 0);
  Eigen::MatrixXf x(rows, cols);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.normal());
  return x;
}

// The features the NeuralLinear head is fitted and evaluated on, taken from the model's own
// forward pass (the posterior pass and the label scorer do), match the plain Eigen reference.
void expect_matches_reference(const ModelSpec& spec, const ComputeOptions* compute, float tol,
                              const SparseRows* rows = nullptr) {
  Model model(spec);
  if (compute) model.set_compute(*compute);
  model.init(7);
  const Eigen::MatrixXf x = random_input(spec.input_dim, 37, 3);
  SparseBatch batch;
  for (size_t u = 0; rows != nullptr && u < rows->size(); ++u)
    batch.append(rows->index.data() + rows->offsets[u], rows->value.data() + rows->offsets[u],
                 rows->nnz(u));
  model.forward(x, rows ? &batch : nullptr, ForwardContext{});
  const Eigen::MatrixXf& got = model.last_hidden_output();
  const Eigen::MatrixXf want = last_hidden(model, x, rows, 0);
  ASSERT_EQ(got.rows(), want.rows());
  ASSERT_EQ(got.cols(), want.cols());
  const float scale = want.cwiseAbs().maxCoeff();
  ASSERT_GT(scale, 0.0f);
  EXPECT_LE((got - want).cwiseAbs().maxCoeff(), tol * scale) << spec.describe();
}

TEST(LastHidden, ForwardPassOutputMatchesTheReferenceOnEveryPath) {
  ModelSpec spec;
  spec.input_dim = 24;
  spec.hidden = {40, 16};
  spec.output_dim = 5;
  spec.dropout = 0.3f;  // inference: no dropout
  expect_matches_reference(spec, nullptr, 1e-5f);  // fused oneDNN, fp32
  ComputeOptions eigen;
  eigen.backend = GemmBackend::kEigen;
  expect_matches_reference(spec, &eigen, 1e-5f);  // the Layer chain
  ComputeOptions bf16;
  bf16.precision = Precision::kBf16;  // bf16 products, the hidden output converted back
  expect_matches_reference(spec, &bf16, 3e-2f);
  ModelSpec flat = spec;
  flat.hidden.clear();
  expect_matches_reference(flat, nullptr, 0.0f);  // no hidden layer: the input itself
}

TEST(LastHidden, SparseInputIsAddedBeforeTheFirstRelu) {
  ModelSpec spec;
  spec.input_dim = 12;
  spec.hidden = {20, 8};
  spec.output_dim = 4;
  spec.sparse_dim = 30;
  SparseRows rows;
  for (int u = 0; u < 37; ++u) {
    for (int k = 0; k < u % 4; ++k) {
      rows.index.push_back(static_cast<uint32_t>((u * 7 + k * 11) % 30));
      rows.value.push_back(0.5f + 0.25f * k);
    }
    rows.offsets.push_back(rows.index.size());
  }
  expect_matches_reference(spec, nullptr, 1e-5f, &rows);
}

}  // namespace
}  // namespace imine

// The Wide & Deep parts of Model: sparse item input into the first layer and the wide path.
#include <gtest/gtest.h>

#include <vector>

#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/sparse_linear.h"
#include "imine/util/error.h"
#include "nn/grad_check.h"

namespace imine {
namespace {

using testing_nn::expect_gradient_matches;
using testing_nn::random_matrix;

ModelSpec wide_deep_spec() {
  ModelSpec s;
  s.input_dim = 5;
  s.hidden = {6, 4};
  s.output_dim = 3;
  s.sparse_dim = 7;
  s.wide_inputs = {0, 3};
  s.wide_sparse = true;
  return s;
}

SparseBatch sample_items() {
  SparseBatch b;
  const uint32_t i0[] = {1, 4}, i2[] = {0, 5, 6}, i3[] = {4};
  const float v0[] = {0.6f, 0.8f}, v2[] = {0.5f, 0.5f, 0.7f}, v3[] = {1.0f};
  b.append(i0, v0, 2);
  b.append(nullptr, nullptr, 0);  // a user without items
  b.append(i2, v2, 3);
  b.append(i3, v3, 1);
  return b;
}

// Writes random values into every parameter (the sparse and wide parts start at zero).
void randomise(Model* m) {
  const Eigen::MatrixXf r = random_matrix(static_cast<int>(m->num_params()), 1, 77, 0.5f);
  std::copy(r.data(), r.data() + r.size(), m->params().params());
}

TEST(WideDeep, LayoutAppendsTheNewTensorsAfterTheLinearStack) {
  Model plain(ModelSpec{5, {6, 4}, 3, 0.0f, 0, {}, false});
  Model wd(wide_deep_spec());
  ASSERT_EQ(plain.linear_layers().size(), wd.linear_layers().size());
  for (size_t k = 0; k < plain.linear_layers().size(); ++k) {
    EXPECT_EQ(plain.linear_layers()[k].offset_weight, wd.linear_layers()[k].offset_weight);
  }
  EXPECT_EQ(plain.sparse_table().size(), 0u);
  EXPECT_EQ(wd.sparse_table().rows, 7);
  EXPECT_EQ(wd.sparse_table().cols, 6);
  EXPECT_EQ(wd.wide_weight().rows, 3);
  EXPECT_EQ(wd.wide_weight().cols, 2);
  EXPECT_EQ(wd.wide_sparse_table().rows, 7);
  EXPECT_EQ(wd.wide_sparse_table().cols, 3);
  EXPECT_EQ(wd.num_weights(), plain.num_weights() + 7 * 6 + 3 * 2 + 7 * 3);
  size_t covered = 0;
  for (const auto& s : wd.param_slices()) covered += s.second;
  EXPECT_EQ(covered, wd.num_weights());
  EXPECT_EQ(wd.spec().describe(), "in=5 hidden=[6,4] out=3 dropout=0 sparse=7 wide=2 wide_sparse");
}

TEST(WideDeep, SparseInputIsRequiredExactlyWhenConfigured) {
  Model wd(wide_deep_spec());
  const Eigen::MatrixXf x = random_matrix(5, 4, 1);
  EXPECT_THROW(wd.forward(x, ForwardContext{}), Error);
  Model plain(ModelSpec{5, {6}, 3, 0.0f, 0, {}, false});
  const SparseBatch items = sample_items();
  EXPECT_THROW(plain.forward(x, &items, ForwardContext{}), Error);
  ModelSpec bad = wide_deep_spec();
  bad.sparse_dim = 0;
  EXPECT_THROW(Model{bad}, Error);  // wide_sparse without a sparse input
  bad = wide_deep_spec();
  bad.wide_inputs = {5};
  EXPECT_THROW(Model{bad}, Error);
}

TEST(WideDeep, ForwardEqualsTheDenseFormula) {
  Model wd(wide_deep_spec());
  randomise(&wd);
  const Eigen::MatrixXf x = random_matrix(5, 4, 2);
  const SparseBatch items = sample_items();
  const Eigen::MatrixXf got = wd.forward(x, &items, ForwardContext{});
  // Dense equivalent: the sparse batch as a [7 x 4] matrix.
  Eigen::MatrixXf xs = Eigen::MatrixXf::Zero(7, 4);
  for (size_t j = 0; j < items.cols(); ++j)
    for (size_t p = items.offsets[j]; p < items.offsets[j + 1]; ++p)
      xs(items.index[p], static_cast<Eigen::Index>(j)) = items.value[p];
  const ParamBuffer& pb = wd.params();
  auto lin = wd.linear_layers();
  auto W = [&](int k) { return pb.param_matrix(lin[k].offset_weight, lin[k].out, lin[k].in); };
  auto b = [&](int k) { return pb.param_vec(lin[k].offset_bias, lin[k].out); };
  const TensorInfo s = wd.sparse_table(), w = wd.wide_weight(), ws = wd.wide_sparse_table();
  Eigen::MatrixXf h = W(0) * x;
  h.colwise() += b(0);
  h += pb.param_matrix(s.offset, s.rows, s.cols).transpose() * xs;
  h = h.array().max(0.0f);
  Eigen::MatrixXf h2 = W(1) * h;
  h2.colwise() += b(1);
  h2 = h2.array().max(0.0f);
  Eigen::MatrixXf logits = W(2) * h2;
  logits.colwise() += b(2);
  Eigen::MatrixXf xw(2, 4);
  xw.row(0) = x.row(0);
  xw.row(1) = x.row(3);
  logits += pb.param_matrix(w.offset, w.rows, w.cols) * xw;
  logits += pb.param_matrix(ws.offset, ws.rows, ws.cols).transpose() * xs;
  ASSERT_EQ(got.rows(), 3);
  ASSERT_EQ(got.cols(), 4);
  EXPECT_LT((got - logits).cwiseAbs().maxCoeff(), 1e-4f);
}

TEST(WideDeep, GradientMatchesFiniteDifferences) {
  Model wd(wide_deep_spec());
  randomise(&wd);
  const Eigen::MatrixXf x = random_matrix(5, 4, 3);
  const SparseBatch items = sample_items();
  Eigen::MatrixXf targets = random_matrix(3, 4, 4).array().abs().min(1.0f);
  const Loss loss(LossKind::kBce);
  Eigen::MatrixXf dlogits;
  wd.params().zero_grads();
  loss.loss_sum(wd.forward(x, &items, ForwardContext{}), targets, &dlogits);
  wd.backward(dlogits);
  const std::vector<float> grads(wd.params().grad_vector().begin(),
                                 wd.params().grad_vector().end());
  auto f = [&] { return loss.loss_sum(wd.forward(x, &items, ForwardContext{}), targets, nullptr); };
  expect_gradient_matches(wd.params().params(), grads.data(), wd.num_params(), f, 1e-3f,
                          "wide & deep params");
}

TEST(WideDeep, InitLeavesTheSparseAndWidePartsAtZero) {
  Model wd(wide_deep_spec());
  randomise(&wd);
  wd.init(9);
  for (const TensorInfo& t : {wd.sparse_table(), wd.wide_weight(), wd.wide_sparse_table()}) {
    for (size_t i = 0; i < t.size(); ++i) ASSERT_EQ(wd.params().params()[t.offset + i], 0.0f);
  }
  // ...so a fresh wide & deep model scores like its MLP alone.
  Model plain(ModelSpec{5, {6, 4}, 3, 0.0f, 0, {}, false});
  plain.init(9);
  const Eigen::MatrixXf x = random_matrix(5, 4, 5);
  const SparseBatch items = sample_items();
  EXPECT_LT((wd.forward(x, &items, ForwardContext{}) - plain.forward(x, ForwardContext{}))
                .cwiseAbs()
                .maxCoeff(),
            1e-6f);
}

}  // namespace
}  // namespace imine

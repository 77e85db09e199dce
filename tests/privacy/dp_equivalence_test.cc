// With noise 0 and a clip bound no gradient reaches, a DP-SGD step (per-example clipping,
// noise, division by the expected batch) equals a normal step on the same Poisson batch with
// the gradient sum divided by the same expected batch: the fair comparison, since plain
// training divides by the drawn batch size, which DP-SGD must not use. Several steps of AdamW,
// for the fused stack with dropout and for the Layer chain with sparse items and wide paths.
// And the plan: target epsilon by bisection, and the configuration errors.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/optimizer.h"
#include "imine/privacy/dp_sgd.h"
#include "imine/privacy/poisson_sampler.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

struct Users {
  std::vector<uint64_t> ids;
  Eigen::MatrixXf x, y;
  std::vector<SparseBatch> items;  // one column each
};

Users make_users(const ModelSpec& spec, int n) {
  Users u;
  Rng rng(3, kStreamBench, 9);
  u.x.resize(spec.input_dim, n);
  u.y.resize(spec.output_dim, n);
  for (int j = 0; j < n; ++j) {
    u.ids.push_back(1000 + 17 * j);
    for (int i = 0; i < spec.input_dim; ++i) u.x(i, j) = static_cast<float>(rng.normal());
    for (int i = 0; i < spec.output_dim; ++i) u.y(i, j) = rng.uniform() < 0.3 ? 1.0f : 0.0f;
    SparseBatch one;
    if (spec.sparse_dim > 0) {
      uint32_t idx[2] = {static_cast<uint32_t>(rng.below(spec.sparse_dim)),
                         static_cast<uint32_t>(rng.below(spec.sparse_dim))};
      float val[2] = {0.7f, 0.4f};
      one.append(idx, val, 2);
    }
    u.items.push_back(one);
  }
  return u;
}

// Trains `steps` steps; returns the parameters. dp: backward_clipped + noise_and_average.
std::vector<float> train(const ModelSpec& spec, GemmBackend backend, const Users& u, bool dp,
                         int steps) {
  Model model(spec);
  ComputeOptions co;
  co.backend = backend;
  model.set_compute(co);
  model.init(5);
  auto opt = make_optimizer(OptimizerConfig{}, model.num_params());
  const Loss loss = Loss::from_name("bce");
  DpPlan plan;
  plan.q = 0.1;
  plan.expected_batch = plan.q * static_cast<double>(u.ids.size());
  plan.sigma = 0.0;
  plan.clip = 1e30;
  plan.delta = 1e-6;
  PoissonSampler sampler(u.ids, 5, plan.q, 10);
  Eigen::MatrixXf x, y, dlogits;
  SparseBatch items;
  std::vector<uint64_t> keys;
  for (int s = 0; s < steps; ++s) {
    if (s % 10 == 0) sampler.start_epoch(s / 10);
    const size_t n = sampler.step_size(s % 10);
    x.resize(spec.input_dim, n);
    y.resize(spec.output_dim, n);
    items.clear();
    keys.clear();
    for (size_t k = 0; k < n; ++k) {
      const uint32_t i = sampler.step_begin(s % 10)[k];
      x.col(k) = u.x.col(i);
      y.col(k) = u.y.col(i);
      const SparseBatch& it = u.items[i];
      items.append(it.index.data(), it.value.data(), it.index.size());
      keys.push_back(u.ids[i]);
    }
    model.params().zero_grads();
    ForwardContext ctx;
    ctx.training = true;
    ctx.seed = 5;
    ctx.step = static_cast<uint64_t>(s);
    ctx.sample_keys = keys.data();
    const auto& logits = model.forward(x, spec.sparse_dim > 0 ? &items : nullptr, ctx);
    loss.loss_sum(logits, y, &dlogits);
    float* g = model.params().grads();
    if (dp) {
      model.backward_clipped(dlogits, static_cast<float>(plan.clip), nullptr);
      noise_and_average(plan, seeded_noise_key(1), s, model.param_slices(), g, model.num_params());
    } else {
      model.backward(dlogits);
      const float inv = static_cast<float>(1.0 / plan.expected_batch);
      for (size_t i = 0; i < model.num_params(); ++i) g[i] *= inv;
    }
    opt->step(model.params().params(), g, model.num_params(), 1e-2f);
  }
  return std::vector<float>(model.params().params(), model.params().params() + model.num_params());
}

TEST(DpEquivalence, NoNoiseAndNoClippingIsNormalTraining) {
  ModelSpec fused;
  fused.input_dim = 12;
  fused.hidden = {16, 8};
  fused.output_dim = 5;
  fused.dropout = 0.2f;
  fused.wide_inputs = {0, 1, 2};
  ModelSpec chain = fused;
  chain.sparse_dim = 20;
  chain.wide_sparse = true;
  for (const auto& [spec, backend] :
       {std::make_pair(fused, GemmBackend::kOneDnn), std::make_pair(chain, GemmBackend::kEigen)}) {
    const Users u = make_users(spec, 300);
    const auto normal = train(spec, backend, u, false, 25);
    const auto dp = train(spec, backend, u, true, 25);
    const auto init = [&] {
      Model m(spec);
      m.init(5);
      return std::vector<float>(m.params().params(), m.params().params() + m.num_params());
    }();
    ASSERT_EQ(normal.size(), dp.size());
    double moved = 0;
    for (size_t i = 0; i < dp.size(); ++i) {
      ASSERT_NEAR(dp[i], normal[i], 1e-5 * (1 + std::fabs(normal[i]))) << "parameter " << i;
      moved = std::max(moved, double(std::fabs(normal[i] - init[i])));
    }
    EXPECT_GT(moved, 0.05);  // the runs did train
  }
}

TEST(DpPlan, TargetEpsilonByBisectionAndErrors) {
  DpConfig c;
  c.clip = 1.0;
  c.target_epsilon = 3.0;
  c.delta = 1e-5;
  const DpPlan p = plan_dp(c, 60000, 256, 2000);
  EXPECT_NEAR(p.q, 256.0 / 60000, 1e-15);
  EXPECT_DOUBLE_EQ(p.expected_batch, 256.0);
  EXPECT_LE(p.planned_epsilon, 3.0);
  EXPECT_GT(p.planned_epsilon, 2.99);
  EXPECT_NEAR(dp_epsilon_after(p, 2000), p.planned_epsilon, 1e-12);
  EXPECT_LT(dp_epsilon_after(p, 1000), p.planned_epsilon);
  EXPECT_EQ(dp_epsilon_after(p, 0), 0.0);
  DpConfig given = c;
  given.target_epsilon = 0;
  given.noise_multiplier = p.sigma;
  EXPECT_NEAR(plan_dp(given, 60000, 256, 2000).planned_epsilon, p.planned_epsilon, 1e-9);
  DpConfig both = given;
  both.target_epsilon = 3.0;
  EXPECT_THROW(plan_dp(both, 60000, 256, 2000), Error);
  DpConfig neither = c;
  neither.target_epsilon = 0;
  EXPECT_THROW(plan_dp(neither, 60000, 256, 2000), Error);
  DpConfig big_delta = c;
  big_delta.delta = 1e-4;  // not below 1 / 60000
  EXPECT_THROW(plan_dp(big_delta, 60000, 256, 2000), Error);
  DpConfig no_clip = given;
  no_clip.clip = 0;
  EXPECT_THROW(plan_dp(no_clip, 60000, 256, 2000), Error);
  DpConfig tiny = c;
  tiny.target_epsilon = 1e-6;
  EXPECT_THROW(plan_dp(tiny, 60000, 60000, 2000), Error);
}

}  // namespace
}  // namespace imine

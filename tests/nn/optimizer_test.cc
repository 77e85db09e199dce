#include "imine/nn/optimizer.h"

#include <gtest/gtest.h>

#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

// Reference values computed independently (textbook formulas in double precision).
const std::vector<std::vector<float>> kAdamGrads = {
    {0.5f, -1.0f, 0.0f}, {0.1f, 0.2f, 0.3f}, {-0.2f, 0.05f, 0.1f}};

std::vector<float> run(Optimizer& opt, std::vector<float> p,
                       const std::vector<std::vector<float>>& grads, float lr) {
  for (const auto& g : grads) opt.step(p.data(), g.data(), p.size(), lr);
  return p;
}

void expect_near(const std::vector<float>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

TEST(Optimizer, SgdMomentum) {
  OptimizerConfig c;
  c.name = "sgd";
  c.momentum = 0.9f;
  auto opt = make_optimizer(c, 2);
  // v1 = g1 = [.5, 1]; p1 = [.95, -2.1]; v2 = .9 v1 + g2 = [-.05, 2.9]; p2 = p1 - .1 v2.
  const auto p = run(*opt, {1.0f, -2.0f}, {{0.5f, 1.0f}, {-0.5f, 2.0f}}, 0.1f);
  expect_near(p, {0.955, -2.39}, 1e-6);
  EXPECT_EQ(opt->t(), 2);
  auto state = opt->state();
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0].first, "velocity");
  expect_near(*state[0].second, {-0.05, 2.9}, 1e-6);
}

TEST(Optimizer, SgdNesterov) {
  OptimizerConfig c;
  c.name = "sgd";
  c.momentum = 0.9f;
  c.nesterov = true;
  auto opt = make_optimizer(c, 2);
  const auto p = run(*opt, {1.0f, -2.0f}, {{0.5f, 1.0f}, {-0.5f, 2.0f}}, 0.1f);
  expect_near(p, {0.9595, -2.651}, 1e-6);
}

TEST(Optimizer, Adam) {
  OptimizerConfig c;
  c.name = "adam";
  auto opt = make_optimizer(c, 3);
  EXPECT_STREQ(opt->name(), "adam");
  const auto p = run(*opt, {1.0f, -2.0f, 0.5f}, kAdamGrads, 0.1f);
  expect_near(p, {0.785260531835489, -1.812573764574355, 0.35080874670845263}, 2e-6);
  auto state = opt->state();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(state[0].first, "m");
  EXPECT_EQ(state[1].first, "v");
  expect_near(*state[0].second, {0.0295, -0.058, 0.037}, 1e-7);
  // 1 - 0.999f is 1.00005e-3 in float, so v is off by ~5e-5 relative from the exact value.
  expect_near(*state[1].second, {0.00029949025, 0.001040461, 0.00009991}, 6e-8);
  EXPECT_EQ(opt->t(), 3);
}

TEST(Optimizer, AdamWithL2AndAdamWDiffer) {
  OptimizerConfig c;
  c.name = "adam";
  c.weight_decay = 0.1f;
  auto adam = make_optimizer(c, 3);
  expect_near(run(*adam, {1.0f, -2.0f, 0.5f}, kAdamGrads, 0.1f),
              {0.7598997572221902, -1.7755544379855708, 0.23359499943580206}, 2e-6);
  c.name = "adamw";
  auto adamw = make_optimizer(c, 3);
  EXPECT_STREQ(adamw->name(), "adamw");
  expect_near(run(*adamw, {1.0f, -2.0f, 0.5f}, kAdamGrads, 0.1f),
              {0.7583525727518423, -1.75567279062455, 0.3367023834969494}, 2e-6);
}

TEST(Optimizer, RestoredStateContinuesBitwise) {
  OptimizerConfig c;
  c.name = "adamw";
  c.weight_decay = 0.01f;
  auto a = make_optimizer(c, 3);
  std::vector<float> pa = {1.0f, -2.0f, 0.5f};
  a->step(pa.data(), kAdamGrads[0].data(), 3, 0.1f);
  // Save, restore into a fresh optimizer, and take the same next steps on both.
  auto b = make_optimizer(c, 3);
  auto sa = a->state();
  auto sb = b->state();
  for (size_t i = 0; i < sa.size(); ++i) *sb[i].second = *sa[i].second;
  b->set_t(a->t());
  std::vector<float> pb = pa;
  for (int s = 1; s < 3; ++s) {
    a->step(pa.data(), kAdamGrads[s].data(), 3, 0.05f);
    b->step(pb.data(), kAdamGrads[s].data(), 3, 0.05f);
  }
  EXPECT_EQ(pa, pb);
}

TEST(Optimizer, FactoryRejectsBadConfig) {
  OptimizerConfig c;
  c.name = "rmsprop";
  EXPECT_THROW(make_optimizer(c, 1), Error);
  c.name = "adam";
  c.beta2 = 1.0f;
  EXPECT_THROW(make_optimizer(c, 1), Error);
  c.name = "sgd";
  c.momentum = -0.1f;
  EXPECT_THROW(make_optimizer(c, 1), Error);
  c.momentum = 0.0f;
  auto opt = make_optimizer(c, 2);
  std::vector<float> p(3, 0.0f), g(3, 1.0f);
  EXPECT_THROW(opt->step(p.data(), g.data(), 3, 0.1f), Error);
}

}  // namespace
}  // namespace imine

#include "imine/nn/optimizer.h"

#include <algorithm>
#include <cmath>

#include "imine/nn/eigen.h"
#include "imine/util/error.h"

namespace imine {

void Optimizer::check_size(size_t n, size_t expected) const {
  IMINE_CHECK(n == expected) << name() << " optimizer: step over " << n
                             << " parameters but state was made for " << expected;
}

Sgd::Sgd(size_t n, float momentum, bool nesterov, float weight_decay)
    : momentum_(momentum), nesterov_(nesterov), weight_decay_(weight_decay), velocity_(n, 0.0f) {}

void Sgd::step(float* params, const float* grads, size_t n, float lr) {
  check_size(n, velocity_.size());
  const float mu = momentum_;
  const float wd = weight_decay_;
  float* v = velocity_.data();
  for (size_t i = 0; i < n; ++i) {
    const float g = grads[i] + wd * params[i];
    v[i] = mu * v[i] + g;
    const float update = nesterov_ ? g + mu * v[i] : v[i];
    params[i] -= lr * update;
  }
  ++t_;
}

std::vector<std::pair<std::string, std::vector<float>*>> Sgd::state() {
  return {{"velocity", &velocity_}};
}

namespace {

// Blocks small enough to stay in L1, so the several Eigen statements per block cost one pass
// over memory. Eigen's packet sqrt and division vectorise (a plain loop with std::sqrt stays
// scalar because of sqrtf's errno branch) and are correctly rounded, like the scalar ones.
void adam_update(float* p, const float* gr, float* m, float* v, size_t n, float b1, float b2,
                 float l2, float shrink, float step_size, float inv_sqrt_bc2, float eps) {
  constexpr size_t kBlock = 512;
  Eigen::Array<float, Eigen::Dynamic, 1, 0, kBlock, 1> g;
  for (size_t at = 0; at < n; at += kBlock) {
    const Eigen::Index len = static_cast<Eigen::Index>(std::min(kBlock, n - at));
    Eigen::Map<Eigen::ArrayXf> pa(p + at, len), ma(m + at, len), va(v + at, len);
    Eigen::Map<const Eigen::ArrayXf> ga(gr + at, len);
    g = ga + l2 * pa;
    ma = b1 * ma + (1.0f - b1) * g;
    va = b2 * va + (1.0f - b2) * g * g;
    pa = pa * shrink - step_size * ma / (va.sqrt() * inv_sqrt_bc2 + eps);
  }
}

}  // namespace

Adam::Adam(size_t n, float beta1, float beta2, float eps, float weight_decay, bool decoupled)
    : beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay),
      decoupled_(decoupled),
      m_(n, 0.0f),
      v_(n, 0.0f) {}

void Adam::step(float* params, const float* grads, size_t n, float lr) {
  check_size(n, m_.size());
  ++t_;
  const float b1 = beta1_;
  const float b2 = beta2_;
  // Bias corrections folded into the step size and the denominator, as in PyTorch:
  // p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
  const double bc1 = 1.0 - std::pow(static_cast<double>(b1), static_cast<double>(t_));
  const double bc2 = 1.0 - std::pow(static_cast<double>(b2), static_cast<double>(t_));
  const float step_size = static_cast<float>(lr / bc1);
  const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  const float eps = eps_;
  const float l2 = decoupled_ ? 0.0f : weight_decay_;
  const float shrink = decoupled_ ? 1.0f - lr * weight_decay_ : 1.0f;
  adam_update(params, grads, m_.data(), v_.data(), n, b1, b2, l2, shrink, step_size, inv_sqrt_bc2,
              eps);
}

std::vector<std::pair<std::string, std::vector<float>*>> Adam::state() {
  return {{"m", &m_}, {"v", &v_}};
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& c, size_t num_params) {
  IMINE_CHECK(c.weight_decay >= 0.0f)
      << "optimizer " << c.name << ": weight_decay must be >= 0, got " << c.weight_decay;
  if (c.name == "sgd") {
    IMINE_CHECK(c.momentum >= 0.0f && c.momentum < 1.0f)
        << "optimizer sgd: momentum must be in [0, 1), got " << c.momentum;
    return std::make_unique<Sgd>(num_params, c.momentum, c.nesterov, c.weight_decay);
  }
  if (c.name == "adam" || c.name == "adamw") {
    IMINE_CHECK(c.beta1 >= 0.0f && c.beta1 < 1.0f && c.beta2 >= 0.0f && c.beta2 < 1.0f)
        << "optimizer " << c.name << ": beta1 and beta2 must be in [0, 1), got " << c.beta1
        << " and " << c.beta2;
    IMINE_CHECK(c.eps > 0.0f) << "optimizer " << c.name << ": eps must be > 0, got " << c.eps;
    return std::make_unique<Adam>(num_params, c.beta1, c.beta2, c.eps, c.weight_decay,
                                  c.name == "adamw");
  }
  IMINE_FAIL() << "unknown optimizer '" << c.name << "' (expected sgd, adam or adamw)";
}

}  // namespace imine

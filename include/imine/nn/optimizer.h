// Optimizers over the flat parameter and gradient vectors of a ParamBuffer. Their state is a set
// of named flat float vectors plus a step count, so a checkpoint can save and restore it
// bitwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace imine {

struct OptimizerConfig {
  std::string name = "adamw";  // "sgd", "adam" or "adamw"
  float momentum = 0.9f;       // sgd
  bool nesterov = false;       // sgd
  float beta1 = 0.9f;          // adam, adamw
  float beta2 = 0.999f;        // adam, adamw
  float eps = 1e-8f;           // adam, adamw
  // sgd, adam: L2 term added to the gradient; adamw: decoupled p *= 1 - lr * weight_decay.
  // Applies to every parameter, biases included.
  float weight_decay = 0.0f;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // `grads` must already be the mean gradient; lr is the scheduled rate for this step.
  // n must equal the size the optimizer was made for.
  virtual void step(float* params, const float* grads, size_t n, float lr) = 0;
  // Named state vectors (e.g. "m", "v"), each of the parameter count, for checkpointing:
  // restore by assigning into the pointed-to vectors without resizing.
  virtual std::vector<std::pair<std::string, std::vector<float>*>> state() = 0;
  virtual const char* name() const = 0;

  // Number of step() calls so far (Adam's bias correction depends on it).
  int64_t t() const { return t_; }
  void set_t(int64_t t) { t_ = t; }

 protected:
  void check_size(size_t n, size_t expected) const;
  int64_t t_ = 0;
};

class Sgd : public Optimizer {
 public:
  // Momentum buffer v = momentum v + g; update v (or g + momentum v with Nesterov), as PyTorch.
  Sgd(size_t n, float momentum, bool nesterov, float weight_decay);
  void step(float* params, const float* grads, size_t n, float lr) override;
  std::vector<std::pair<std::string, std::vector<float>*>> state() override;
  const char* name() const override { return "sgd"; }

 private:
  float momentum_;
  bool nesterov_;
  float weight_decay_;
  std::vector<float> velocity_;
};

class Adam : public Optimizer {
 public:
  // decoupled = false: Adam with L2 weight decay; true: AdamW.
  Adam(size_t n, float beta1, float beta2, float eps, float weight_decay, bool decoupled);
  void step(float* params, const float* grads, size_t n, float lr) override;
  std::vector<std::pair<std::string, std::vector<float>*>> state() override;
  const char* name() const override { return decoupled_ ? "adamw" : "adam"; }

 private:
  float beta1_;
  float beta2_;
  float eps_;
  float weight_decay_;
  bool decoupled_;
  std::vector<float> m_;
  std::vector<float> v_;
};

// Throws Error naming the valid choices on an unknown name or out-of-range hyperparameter.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config, size_t num_params);

}  // namespace imine

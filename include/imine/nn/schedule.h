// Learning-rate schedule: linear warmup, then cosine decay to min_lr_ratio * lr.
#pragma once

#include <cstdint>

namespace imine {

struct ScheduleConfig {
  float lr = 1e-3f;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;  // including warmup
  float min_lr_ratio = 0.0f;
};

class LrSchedule {
 public:
  // Throws Error unless lr > 0, 0 <= warmup_steps <= total_steps, total_steps > 0 and
  // 0 <= min_lr_ratio <= 1.
  explicit LrSchedule(const ScheduleConfig& config);

  // `step` counts optimizer steps from 0. Warmup: lr * (step + 1) / warmup_steps, so the first
  // step already moves. Then lr_min + (lr - lr_min) * (1 + cos(pi * s / d)) / 2 with
  // s = step - warmup_steps, d = total_steps - warmup_steps; lr_min from step total_steps on.
  float lr_at(int64_t step) const;

  const ScheduleConfig& config() const { return config_; }

 private:
  ScheduleConfig config_;
};

}  // namespace imine

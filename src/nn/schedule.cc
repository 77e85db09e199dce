#include "imine/nn/schedule.h"

#include <cmath>

#include "imine/util/error.h"

namespace imine {

LrSchedule::LrSchedule(const ScheduleConfig& config) : config_(config) {
  IMINE_CHECK(config.lr > 0.0f) << "learning rate must be > 0, got " << config.lr;
  IMINE_CHECK(config.total_steps > 0)
      << "schedule total_steps must be > 0, got " << config.total_steps;
  IMINE_CHECK(config.warmup_steps >= 0 && config.warmup_steps <= config.total_steps)
      << "schedule warmup_steps must be in [0, total_steps=" << config.total_steps << "], got "
      << config.warmup_steps;
  IMINE_CHECK(config.min_lr_ratio >= 0.0f && config.min_lr_ratio <= 1.0f)
      << "schedule min_lr_ratio must be in [0, 1], got " << config.min_lr_ratio;
}

float LrSchedule::lr_at(int64_t step) const {
  const double lr = config_.lr;
  const int64_t warmup = config_.warmup_steps;
  if (step < 0) step = 0;
  if (step < warmup) return static_cast<float>(lr * static_cast<double>(step + 1) / warmup);
  const double lr_min = lr * config_.min_lr_ratio;
  const int64_t decay = config_.total_steps - warmup;
  if (step >= config_.total_steps) return static_cast<float>(lr_min);
  const double progress = static_cast<double>(step - warmup) / static_cast<double>(decay);
  return static_cast<float>(lr_min + (lr - lr_min) * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

}  // namespace imine

#include "imine/util/phase.h"

#include <atomic>
#include <chrono>

#include "imine/util/fault.h"

namespace imine {

namespace {
std::atomic<int> g_phase{0};
std::atomic<int64_t> g_step{0};
std::atomic<double> g_since{0.0};
}  // namespace

const char* phase_name(Phase phase) {
  static const char* const kNames[kNumPhases] = {"startup",    "read",      "features",  "forward",
                                                 "backward",   "allreduce", "optimizer", "validate",
                                                 "checkpoint", "labels",    "done"};
  const int i = static_cast<int>(phase);
  return i >= 0 && i < kNumPhases ? kNames[i] : "unknown";
}

int phase_progress_order(Phase phase) {
  switch (phase) {
    case Phase::kStartup:
      return 0;
    case Phase::kRead:
      return 1;
    case Phase::kValidate:
      return 2;
    case Phase::kCheckpoint:
      return 3;
    case Phase::kFeatures:
      return 4;
    case Phase::kForward:
      return 5;
    case Phase::kBackward:
      return 6;
    case Phase::kAllreduce:
      return 7;
    case Phase::kOptimizer:
      return 8;
    case Phase::kLabels:
      return 9;
    case Phase::kDone:
      return 10;
  }
  return 0;
}

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void enter_phase(Phase phase, int64_t step) {
  g_since.store(monotonic_seconds(), std::memory_order_relaxed);
  g_step.store(step, std::memory_order_relaxed);
  g_phase.store(static_cast<int>(phase), std::memory_order_release);
  fault_point(phase, step);
}

PhaseMark current_phase() {
  PhaseMark m;
  m.phase = static_cast<Phase>(g_phase.load(std::memory_order_acquire));
  m.step = g_step.load(std::memory_order_relaxed);
  m.since_seconds = g_since.load(std::memory_order_relaxed);
  return m;
}

}  // namespace imine

// Where each rank is: the phase and step it last entered. The main thread records it on every
// phase change (a couple of relaxed atomic stores); the watchdog and fault injection read it.
#pragma once

#include <cstdint>

namespace imine {

enum class Phase : int {
  kStartup = 0,
  kRead,
  kFeatures,
  kForward,
  kBackward,
  kAllreduce,
  kOptimizer,
  kValidate,
  kCheckpoint,
  kLabels,
  kDone,
};
constexpr int kNumPhases = 11;
const char* phase_name(Phase phase);

struct PhaseMark {
  Phase phase;
  int64_t step;
  double since_seconds;  // monotonic clock seconds when the phase was entered
};

// Records that this rank now is in `phase` at `step`, then gives fault injection its chance
// (util/fault.h). Cheap enough for every phase of every step.
void enter_phase(Phase phase, int64_t step);
PhaseMark current_phase();
double monotonic_seconds();

}  // namespace imine

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
// Where a phase falls in the training loop's order within one step number: startup, read,
// validate and checkpoint (of the steps so far), features, forward, backward, allreduce,
// optimizer, labels, done. Every rank passes the same collectives in this order, so of the
// ranks that stopped moving, the one with the smallest (step, order) is the one the others wait
// for: the watchdog names it.
int phase_progress_order(Phase phase);
PhaseMark current_phase();
double monotonic_seconds();

}  // namespace imine

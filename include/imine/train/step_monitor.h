// Watches the training loop from inside: marks phases (for the watchdog and fault injection),
// records a Chrome trace of the first steps, and every N steps shows rank 0 which ranks are
// slow (stragglers hold every rank back at the next allreduce).
#pragma once

#include <cstdint>
#include <string>

#include "imine/util/phase.h"
#include "imine/util/trace.h"

namespace imine {

class Communicator;

class StepMonitor {
 public:
  // straggler_every: steps between per-rank step-time reports (0: never). trace_steps: steps
  // recorded in the trace (0: no trace).
  StepMonitor(int64_t straggler_every, int64_t trace_steps, const Communicator& comm);

  // Enters `phase` of `step`, closing the previous phase's span.
  void begin(Phase phase, int64_t step);
  // A communication span (trace thread 1), e.g. one gradient bucket's reduction.
  void span(const char* name, int64_t step, double begin_s, double end_s) {
    if (step < trace_steps_) tracer_.add(name, 1, step, begin_s, end_s);
  }
  // Closes the step. Collective every straggler_every steps (all ranks call it every step).
  void end_step(int64_t step);
  // Collective: gathers every rank's spans; rank 0 writes the Chrome trace JSON atomically.
  void write_trace(const std::string& path);

 private:
  void close_span(double now);

  const Communicator& comm_;
  int64_t straggler_every_;
  int64_t trace_steps_;
  Tracer tracer_;
  Phase phase_ = Phase::kStartup;
  int64_t step_ = 0;
  double phase_start_ = 0;
  double step_start_ = 0;
  double compute_s_ = 0;  // this window: time outside the allreduce
  double window_s_ = 0;   // this window: whole steps
  int64_t window_steps_ = 0;
  double origin_ = 0;
};

}  // namespace imine

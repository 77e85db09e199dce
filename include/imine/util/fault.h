// Test-only fault injection at phase points. Always compiled in, inert unless the environment
// variable IMINE_FAULT is set when the first phase is entered, e.g.
//   IMINE_FAULT="rank=1,step=5,phase=forward,action=throw"
//   IMINE_FAULT="rank=0,phase=allreduce,action=hang;rank=1,step=3,action=sleep=2"
// Keys (all but action optional; an omitted key matches anything): rank, step, phase (a
// phase_name()), action: throw | exit[=code] | abort | segv | hang | block | sleep=seconds |
// nan. Each fault fires at most once per process, at the first phase point it matches.
// docs/testing.md lists what each action simulates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imine/util/phase.h"

namespace imine {

enum class FaultAction { kThrow, kExit, kAbort, kSegv, kHang, kBlock, kSleep, kNan };

struct FaultSpec {
  std::optional<int> rank;
  std::optional<int64_t> step;
  std::optional<Phase> phase;
  FaultAction action = FaultAction::kThrow;
  double argument = 0.0;  // exit code for kExit, seconds for kSleep
  std::string text;       // the spec as written, for messages
};

// Parses a whole IMINE_FAULT value (faults separated by ';'). Errors name `origin` (the
// variable) and the offending fault.
std::vector<FaultSpec> parse_faults(const std::string& text,
                                    const std::string& origin = "IMINE_FAULT");

// Replaces this process's faults (tests); "" makes fault injection inert again. Without a call,
// the first phase point reads IMINE_FAULT.
void install_faults(const std::string& text);
// Makes the next phase point read IMINE_FAULT again (tests).
void reload_faults_from_environment();

// Called by enter_phase(): fires the first unfired non-nan fault matching this rank (the log
// rank, util/log.h), phase and step. A no-op (one atomic load) when no fault is installed.
void fault_point(Phase phase, int64_t step);

// True once for a matching unfired `nan` fault (rank, step, and phase if given against the
// current phase): the caller then makes its loss non-finite, as a diverging model would.
bool fault_wants_nan(int64_t step);

// Carries out one action now (exit/abort/segv/hang/block never return; throw throws Error).
void run_fault_action(const FaultSpec& fault, Phase phase, int64_t step);

}  // namespace imine

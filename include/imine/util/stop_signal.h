// Preemption: SIGUSR1 or SIGTERM (Slurm's warning before a time limit or a preemption) asks the
// job to checkpoint and exit. The handler only sets a flag; the training loop reads it at the
// end of every step and all ranks agree through a collective, so no rank-0-only decision and
// no rank left behind.
#pragma once

namespace imine {

// Exit code of a run that stopped on request after writing a checkpoint (EX_TEMPFAIL): job
// scripts requeue on it.
constexpr int kExitCheckpointedOnRequest = 75;

// Installs the handlers (idempotent). Until then the signals keep their default actions.
void install_stop_handlers();
bool stop_requested();
// The signal that asked, or 0.
int stop_signal();

}  // namespace imine

// Threads and precision of the matrix products, set up the same way by `imine train` and
// `imine bench` so the benchmark measures what training runs.
#pragma once

#include <string>

#include "imine/nn/gemm.h"

namespace imine {

class Communicator;

// Collective (counts the ranks sharing this node). With threads > 1, checks that ranks x
// threads fit this node's cores and this rank's CPU affinity (oversubscribed GEMM threads only slow everything down),
// sets the GEMM thread count and returns the compute options. `threads_option` names the
// option in error messages (--threads, --threads-per-rank).
ComputeOptions setup_compute(int threads, const std::string& precision, const std::string& backend,
                             const Communicator& comm, const std::string& threads_option);

}  // namespace imine

// Threads and precision of the matrix products, and the gradient reduction's options, set up
// the same way by `imine train` and `imine bench` so the benchmark measures what training runs.
#pragma once

#include <string>

#include "imine/nn/gemm.h"

namespace imine {

class Communicator;
class OptionTable;

// --bucket-mb and --reducer (train/gradient_sync.h), declared once for both commands.
void add_gradient_reduction_options(OptionTable& t);

// Collective (counts the ranks sharing this node). With threads > 1, checks that ranks x
// threads fit this node's cores and this rank's CPU affinity (oversubscribed GEMM threads only slow
// everything down), sets the GEMM thread count and returns the compute options. `threads_option`
// names the option in error messages (--threads, --threads-per-rank).
ComputeOptions setup_compute(int threads, const std::string& precision, const std::string& backend,
                             const Communicator& comm, const std::string& threads_option);

}  // namespace imine

#include "imine/cli/compute_setup.h"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <thread>

#include "imine/config/option_table.h"
#include "imine/dist/communicator.h"
#include "imine/util/error.h"

namespace imine {

void add_gradient_reduction_options(OptionTable& t) {
  t.add_float("bucket-mb", 4.0,
              "Gradient reduction bucket size in MiB; a bucket's reduction may start while "
              "backward still runs (0: one reduction after backward)")
      .range(0, 1024);
  t.add_string("reducer", "auto",
               "How gradients are summed: shm (ranks on one host sum them in a shared-memory "
               "window), mpi (MPI_Iallreduce per bucket), auto (shm when every rank is on one "
               "host, else mpi)")
      .choices({"auto", "mpi", "shm"});
}

namespace {

int ranks_on_this_node(const Communicator& comm) {
  MPI_Comm local;
  MPI_Comm_split_type(comm.comm(), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  int n = 1;
  MPI_Comm_size(local, &n);
  MPI_Comm_free(&local);
  return n;
}

}  // namespace

ComputeOptions setup_compute(int threads, const std::string& precision, const std::string& backend,
                             const Communicator& comm, const std::string& threads_option) {
  ComputeOptions compute;
  compute.backend = backend_from_name(backend);
  compute.precision = precision_from_name(precision);
  IMINE_CHECK(compute.backend == GemmBackend::kOneDnn || threads == 1)
      << threads_option << " " << threads
      << " needs the onednn backend (Eigen's products run on one thread)";
  IMINE_CHECK(compute.backend == GemmBackend::kOneDnn || compute.precision == Precision::kFp32)
      << "--precision bf16 needs the onednn backend";
  // One thread per rank is always allowed: oversubscribing ranks (mpirun --oversubscribe) is the
  // user's explicit choice; extra GEMM threads on top of that only slow everything down.
  const int local_ranks = threads > 1 ? ranks_on_this_node(comm) : 1;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  IMINE_CHECK(local_ranks * threads <= cores)
      << local_ranks << " ranks x " << threads_option << " " << threads
      << " on this node exceed its " << cores << " cores";
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    IMINE_CHECK(CPU_COUNT(&allowed) >= threads)
        << threads_option << " " << threads << " but this rank may only run on "
        << CPU_COUNT(&allowed) << " core(s) (mpirun binds each rank to a core: add --bind-to none "
        << "or --map-by slot:PE=" << threads << ")";
  }
  set_gemm_threads(threads);
  return compute;
}

}  // namespace imine

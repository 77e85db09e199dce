// Entry point: one error path. Any exception on any rank prints "imine: rank R: <message>" and
// aborts the whole job (MPI_Abort), so no rank is left waiting in a collective.
#include <csignal>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"
#include "imine/dist/watchdog.h"

int main(int argc, char** argv) {
  // Past a file size limit (ulimit -f) a write must fail with EFBIG, which the writers report
  // naming the file, instead of SIGXFSZ killing the rank without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  imine::MpiSession mpi(&argc, &argv);
  int rc = 0;
  std::unique_ptr<imine::Communicator> comm;
  std::unique_ptr<imine::Watchdog> watchdog;
  try {
    comm = std::make_unique<imine::Communicator>(imine::Communicator::world());
    // One watchdog for the whole process, inert until a command arms it (train:
    // --step-timeout). Its destructor is collective, so it must not run while an exception
    // unwinds on one rank only: errors abort below with the watchdog still alive.
    watchdog = std::make_unique<imine::Watchdog>(*comm);
    rc = imine::run_cli(std::vector<std::string>(argv + 1, argv + argc), *comm);
  } catch (const std::exception& e) {
    imine::abort_job(e.what());
  }
  watchdog.reset();  // collectively, before the communicator and MPI_Finalize
  comm.reset();
  return rc;
}

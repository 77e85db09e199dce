// Entry point: one error path. Any exception on any rank prints "imine: rank R: <message>" and
// aborts the whole job (MPI_Abort), so no rank is left waiting in a collective.
#include <exception>
#include <string>
#include <vector>

#include "imine/cli/commands.h"
#include "imine/dist/communicator.h"

int main(int argc, char** argv) {
  imine::MpiSession mpi(&argc, &argv);
  int rc = 0;
  try {
    imine::Communicator comm = imine::Communicator::world();
    rc = imine::run_cli(std::vector<std::string>(argv + 1, argv + argc), comm);
  } catch (const std::exception& e) {
    imine::abort_job(e.what());
  }
  return rc;
}

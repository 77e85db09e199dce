// The dist unit tests run as one MPI rank (a singleton, no mpirun needed). Listing the tests
// (gtest discovery) needs no MPI, so it does not start it.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "imine/dist/communicator.h"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::strstr(argv[i], "list_tests") != nullptr;
  std::unique_ptr<imine::MpiSession> mpi;
  if (!listing) mpi = std::make_unique<imine::MpiSession>(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

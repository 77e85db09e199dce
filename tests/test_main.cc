// Unit tests run single-process and never touch MPI (only tests/dist does, with its own main).
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

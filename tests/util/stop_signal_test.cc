#include "imine/util/stop_signal.h"

#include <gtest/gtest.h>

#include <csignal>

namespace imine {
namespace {

TEST(StopSignal, Usr1SetsTheFlagInsteadOfKilling) {
  install_stop_handlers();
  EXPECT_FALSE(stop_requested());
  std::raise(SIGUSR1);
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), SIGUSR1);
}

}  // namespace
}  // namespace imine

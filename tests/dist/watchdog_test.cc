// The watchdog at one rank (the dist tests run as an MPI singleton); the np=2 case with a hung
// rank of `imine train` is tests/e2e/watchdog.sh.
#include "imine/dist/watchdog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "imine/dist/communicator.h"
#include "imine/util/phase.h"

namespace imine {
namespace {

struct Captured {
  std::mutex mutex;
  std::string message;
  int calls = 0;
  std::string get() {
    std::lock_guard<std::mutex> lock(mutex);
    return message;
  }
};

WatchdogOptions capture_into(Captured* c) {
  WatchdogOptions o;
  o.period_seconds = 0.05;
  o.on_stall = [c](const std::string& m) {
    std::lock_guard<std::mutex> lock(c->mutex);
    c->message = m;
    ++c->calls;
  };
  return o;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

TEST(Watchdog, RunsWithMpiThreadMultiple) {
  Communicator comm = Communicator::world();
  Watchdog w(comm);
  EXPECT_TRUE(w.exchanges_heartbeats());
}

TEST(Watchdog, NamesThePhaseAndStepOfAStuckRank) {
  Communicator comm = Communicator::world();
  Captured c;
  {
    Watchdog w(comm, capture_into(&c));
    w.arm(0.3);
    enter_phase(Phase::kForward, 12);
    sleep_s(1.2);
  }
  const std::string m = c.get();
  EXPECT_EQ(c.calls, 1) << "reported once";
  EXPECT_NE(m.find("watchdog: no progress for 0.3 s; last seen: rank 0 forward step 12 ("),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("<- stuck"), std::string::npos) << m;
}

TEST(Watchdog, ProgressAndDisarmingKeepItQuiet) {
  Communicator comm = Communicator::world();
  Captured c;
  {
    Watchdog w(comm, capture_into(&c));
    w.arm(0.5);
    // Re-entering a phase, even the same one, is progress.
    for (int i = 0; i < 20; ++i) {
      enter_phase(Phase::kValidate, 3);
      sleep_s(0.05);
    }
    w.disarm();
    sleep_s(0.8);  // idle, but not armed
  }
  EXPECT_EQ(c.calls, 0) << c.get();
}

TEST(Watchdog, ArmTimeCountsAsProgress) {
  Communicator comm = Communicator::world();
  Captured c;
  {
    Watchdog w(comm, capture_into(&c));
    enter_phase(Phase::kRead, 0);
    sleep_s(0.6);  // long before arming: must not count against the timeout
    w.arm(0.5);
    sleep_s(0.2);
  }
  EXPECT_EQ(c.calls, 0) << c.get();
}

TEST(Watchdog, WatchdogArmArmsTheProcessWatchdogForAScope) {
  Communicator comm = Communicator::world();
  Captured c;
  {
    Watchdog w(comm, capture_into(&c));
    ASSERT_EQ(Watchdog::process(), &w);
    {
      WatchdogArm arm(0.2);
      enter_phase(Phase::kAllreduce, 7);
      sleep_s(0.8);
    }
    EXPECT_NE(c.get().find("rank 0 allreduce step 7"), std::string::npos) << c.get();
  }
  EXPECT_EQ(Watchdog::process(), nullptr);
  WatchdogArm without_watchdog(1.0);  // no watchdog: a no-op
}

TEST(Watchdog, StopsPromptly) {
  Communicator comm = Communicator::world();
  const double t0 = monotonic_seconds();
  { Watchdog w(comm); }  // default period 0.5 s: stopping must not wait for it
  EXPECT_LT(monotonic_seconds() - t0, 0.4);
}

}  // namespace
}  // namespace imine

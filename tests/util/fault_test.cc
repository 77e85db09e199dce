#include "imine/util/fault.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "imine/util/error.h"
#include "imine/util/log.h"
#include "imine/util/phase.h"

namespace imine {
namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_faults(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Faults are process-wide: every test installs its own and leaves none behind.
class Fault : public ::testing::Test {
 protected:
  void TearDown() override {
    install_faults("");
    set_log_rank(0);
  }
};

TEST_F(Fault, ParsesEveryKeyAndSeveralFaults) {
  auto f = parse_faults(
      "rank=1,step=5,phase=forward,action=throw; phase=allreduce,action=exit=7;"
      "action=sleep=0.5;step=2,action=nan;action=hang;action=block;action=abort;action=segv");
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(*f[0].rank, 1);
  EXPECT_EQ(*f[0].step, 5);
  EXPECT_EQ(*f[0].phase, Phase::kForward);
  EXPECT_EQ(f[0].action, FaultAction::kThrow);
  EXPECT_FALSE(f[1].rank.has_value());
  EXPECT_FALSE(f[1].step.has_value());
  EXPECT_EQ(*f[1].phase, Phase::kAllreduce);
  EXPECT_EQ(f[1].action, FaultAction::kExit);
  EXPECT_EQ(f[1].argument, 7);
  EXPECT_EQ(f[2].action, FaultAction::kSleep);
  EXPECT_DOUBLE_EQ(f[2].argument, 0.5);
  EXPECT_EQ(f[3].action, FaultAction::kNan);
  EXPECT_EQ(f[4].action, FaultAction::kHang);
  EXPECT_EQ(f[5].action, FaultAction::kBlock);
  EXPECT_EQ(f[6].action, FaultAction::kAbort);
  EXPECT_EQ(f[7].action, FaultAction::kSegv);
  EXPECT_EQ(parse_faults("action=exit")[0].argument, 3);
  EXPECT_TRUE(parse_faults("").empty());
  EXPECT_TRUE(parse_faults("  ").empty());
}

TEST_F(Fault, ParseErrorsNameTheVariableAndTheFault) {
  for (const char* bad :
       {"rank=1", "rank=x,action=throw", "phase=fwd,action=throw", "action=explode", "action=sleep",
        "action=exit=300", "colour=red,action=throw", "step=-1,action=throw", "action=throw=1",
        "rank1,action=throw"}) {
    const std::string msg = parse_error(bad);
    EXPECT_NE(msg.find("IMINE_FAULT fault '"), std::string::npos) << bad << " -> " << msg;
  }
  EXPECT_NE(parse_error("phase=fwd,action=throw").find("forward"), std::string::npos);
  EXPECT_NE(parse_error("action=explode").find("'explode'"), std::string::npos);
}

TEST_F(Fault, InertWithoutFaults) {
  install_faults("");
  EXPECT_NO_THROW(enter_phase(Phase::kForward, 5));
  EXPECT_FALSE(fault_wants_nan(5));
}

TEST_F(Fault, ThrowFiresOnceAtTheMatchingRankPhaseAndStep) {
  install_faults("rank=1,step=5,phase=forward,action=throw");
  set_log_rank(0);
  EXPECT_NO_THROW(enter_phase(Phase::kForward, 5));  // other rank
  set_log_rank(1);
  EXPECT_NO_THROW(enter_phase(Phase::kForward, 4));   // other step
  EXPECT_NO_THROW(enter_phase(Phase::kBackward, 5));  // other phase
  try {
    enter_phase(Phase::kForward, 5);
    ADD_FAILURE() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("IMINE_FAULT"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("forward step 5"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(enter_phase(Phase::kForward, 5));   // fired already
  EXPECT_EQ(current_phase().phase, Phase::kForward);  // the mark is recorded before the fault
  EXPECT_EQ(current_phase().step, 5);
}

TEST_F(Fault, SleepDelaysThePhasePoint) {
  install_faults("phase=validate,action=sleep=0.2");
  const auto t0 = std::chrono::steady_clock::now();
  enter_phase(Phase::kValidate, 1);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(s, 0.19);
}

TEST_F(Fault, NanIsReportedOnceForTheMatchingStepOnly) {
  install_faults("rank=0,step=3,action=nan");
  enter_phase(Phase::kForward, 3);  // a nan fault never fires at the phase point itself
  EXPECT_FALSE(fault_wants_nan(2));
  EXPECT_TRUE(fault_wants_nan(3));
  EXPECT_FALSE(fault_wants_nan(3));
  install_faults("step=1,phase=backward,action=nan");
  enter_phase(Phase::kForward, 1);
  EXPECT_FALSE(fault_wants_nan(1));
  enter_phase(Phase::kBackward, 1);
  EXPECT_TRUE(fault_wants_nan(1));
}

TEST_F(Fault, EnvironmentIsReadAtTheFirstPhasePointAndErrorsSurfaceThere) {
  ::setenv("IMINE_FAULT", "phase=features,action=nope", 1);
  reload_faults_from_environment();
  try {
    enter_phase(Phase::kRead, 0);
    ADD_FAILURE() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("IMINE_FAULT fault 'phase=features,action=nope'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(enter_phase(Phase::kRead, 0));  // reported once, then inert
  ::setenv("IMINE_FAULT", "phase=features,action=throw", 1);
  reload_faults_from_environment();
  EXPECT_NO_THROW(enter_phase(Phase::kRead, 0));
  EXPECT_THROW(enter_phase(Phase::kFeatures, 0), Error);
  ::unsetenv("IMINE_FAULT");
  EXPECT_THROW(install_faults("action=nope"), Error);
}

using FaultDeathTest = Fault;

TEST_F(FaultDeathTest, ExitAbortAndSegvEndTheProcess) {
  EXPECT_EXIT(
      {
        install_faults("phase=allreduce,action=exit=7");
        enter_phase(Phase::kAllreduce, 0);
      },
      ::testing::ExitedWithCode(7), "fault injection");
  EXPECT_EXIT(
      {
        install_faults("action=abort");
        enter_phase(Phase::kRead, 0);
      },
      ::testing::KilledBySignal(SIGABRT), "abort");
  EXPECT_EXIT(
      {
        install_faults("action=segv");
        enter_phase(Phase::kRead, 0);
      },
      ::testing::KilledBySignal(SIGSEGV), "SIGSEGV");
}

// Runs the fault in a child and checks it is still stuck after a while, then kills it.
bool child_stays_stuck(const std::string& spec) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    install_faults(spec);
    enter_phase(Phase::kForward, 0);
    std::_Exit(0);  // the fault returned: not stuck
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  int status = 0;
  const bool running = ::waitpid(pid, &status, WNOHANG) == 0;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return running;
}

TEST_F(Fault, HangAndBlockNeverReturn) {
  EXPECT_TRUE(child_stays_stuck("action=hang"));
  EXPECT_TRUE(child_stays_stuck("action=block"));
  EXPECT_FALSE(child_stays_stuck("action=sleep=0"));
}

}  // namespace
}  // namespace imine

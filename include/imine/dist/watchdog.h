// The step watchdog: when a rank stays in one phase and step (util/phase.h) longer than its
// timeout, the job is aborted and stderr names, for every rank, the phase and step it was last
// seen in, e.g.
//   imine: rank 0: watchdog: no progress for 30 s; last seen: rank 0 allreduce step 12 (30.1 s),
//   rank 1 forward step 12 (31.0 s) <- stuck
//
// One Watchdog lives for the whole process (main.cc): constructed after MPI init, destroyed
// before finalize. It is inert until armed; commands arm it for their duration with a scoped
// WatchdogArm (train: --step-timeout). Calling enter_phase() again, even with the same phase
// and step, counts as progress, so a long loop can keep itself alive. When the ranks run on
// more than one host, each rank is named with its host ("rank 3 [host node7]"), and a heartbeat
// round that never completes names the ranks whose heartbeat did not reach rank 0 (a host cut
// off, or a process frozen or gone).
#pragma once

#include <mpi.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace imine {

class Communicator;

struct WatchdogOptions {
  // Seconds between heartbeat rounds; a stall is seen at most about this late.
  double period_seconds = 0.5;
  // Called (on the watchdog thread, once) with the message instead of abort_job (tests).
  std::function<void(const std::string&)> on_stall;
};

class Watchdog {
 public:
  // Collective over comm: duplicates it for the heartbeats and starts the thread, unarmed. The
  // first Watchdog of the process becomes the one WatchdogArm arms.
  explicit Watchdog(const Communicator& comm, WatchdogOptions options = {});
  // Collective: returns once every rank's watchdog has stopped (never leaves a heartbeat
  // pending on the communicator). Destroy it on the normal path only: while an exception
  // unwinds (one rank failing before abort_job) it returns at once instead of waiting for
  // ranks that will never stop.
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // This rank's timeout; <= 0 disarms. Ranks may arm at different moments: each heartbeat
  // carries its rank's own timeout and only armed ranks are judged.
  void arm(double timeout_seconds);
  void disarm() { arm(0); }
  // False when MPI was started without MPI_THREAD_MULTIPLE: then each rank watches only itself
  // and the message names only that rank.
  bool exchanges_heartbeats() const { return multiple_; }

  static Watchdog* process();

 private:
  struct Beat;
  void run_exchange();
  void run_local();
  Beat my_beat() const;
  void judge(const Beat* beats, int n);
  void report(const std::string& message);
  bool wait_or_stop(double seconds);
  // "rank R", plus " [host H]" when the job spans more than one host.
  std::string rank_name(int r) const;

  WatchdogOptions options_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  bool multiple_ = false;
  std::atomic<double> timeout_{0.0};
  std::atomic<double> armed_at_{0.0};
  std::atomic<double> sticky_timeout_{0.0};  // last non-zero timeout, for silent ranks
  std::atomic<bool> fired_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool abandon_ = false;  // stop without the collective stopping round
  std::thread thread_;
  std::vector<std::string> hosts_;  // MPI_Get_processor_name of every rank
  bool multi_host_ = false;
};

// Arms the process's watchdog for a scope (no-op without one, or with timeout <= 0).
class WatchdogArm {
 public:
  explicit WatchdogArm(double timeout_seconds);
  ~WatchdogArm();
  WatchdogArm(const WatchdogArm&) = delete;
  WatchdogArm& operator=(const WatchdogArm&) = delete;

 private:
  bool armed_ = false;
};

}  // namespace imine

#include "imine/dist/watchdog.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include "imine/dist/communicator.h"
#include "imine/util/log.h"
#include "imine/util/phase.h"

// Why a thread exchanging heartbeats over MPI, and not files in the run folder:
// - It works wherever MPI does; files need a shared, coherent file system (NFS attribute caches
//   can hide a fresh heartbeat for tens of seconds) and a run folder every command has.
// - The thread keeps running while the main thread spins or blocks in read() or inside an MPI
//   collective: with MPI_THREAD_MULTIPLE its own MPI_Test calls drive the progress engine, so
//   the exchange completes on every rank whose process is alive.
// - Each round is one non-blocking MPI_Iallgather of 32 bytes per rank on a private duplicate
//   of the job communicator, polled with MPI_Test and sleeps (never a blocking call, never a
//   busy wait): about two rounds per second, nothing on the training path, which only stores
//   the phase mark (util/phase.h).
// - Rounds are collective, so no message is ever left unmatched: stopping is a round in which
//   every rank says it is stopping, after which all threads leave together. A frozen process
//   (its heartbeat thread stopped too) shows as a round that never completes; armed ranks
//   report that with the last table they have.
// Rank 0 judges (one message); other ranks only speak if rounds stop completing, with extra
// grace so that rank 0 normally speaks first.

namespace imine {

namespace {

constexpr int32_t kArmed = 1;
constexpr int32_t kStopping = 2;
constexpr double kPollSeconds = 0.02;
constexpr double kNonRootGraceSeconds = 5.0;
// Besides the allgather, every round each rank sends rank 0 a point-to-point "present" message
// on this tag: when a round stays open, the ones that did not arrive name the ranks rank 0
// cannot hear from (the allgather alone only says that someone is missing).
constexpr int kPresenceTag = 7;

std::atomic<Watchdog*> g_process{nullptr};

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", s);
  return buf;
}

}  // namespace

struct Watchdog::Beat {
  int32_t phase;
  int32_t flags;
  int64_t step;
  double age;      // seconds since the rank last entered a phase (or was armed)
  double timeout;  // the rank's own timeout (0: not armed)
};

Watchdog* Watchdog::process() { return g_process.load(); }

Watchdog::Watchdog(const Communicator& comm, WatchdogOptions options)
    : options_(std::move(options)) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  multiple_ = provided >= MPI_THREAD_MULTIPLE;
  MPI_Comm_dup(comm.comm(), &comm_);
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  // Host names, to say which machine a stuck or unreachable rank is on.
  std::vector<char> names(static_cast<size_t>(size_) * MPI_MAX_PROCESSOR_NAME, '\0');
  char mine[MPI_MAX_PROCESSOR_NAME] = {};
  int len = 0;
  MPI_Get_processor_name(mine, &len);
  MPI_Allgather(mine, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names.data(), MPI_MAX_PROCESSOR_NAME,
                MPI_CHAR, comm_);
  for (int r = 0; r < size_; ++r) {
    const char* n = names.data() + static_cast<size_t>(r) * MPI_MAX_PROCESSOR_NAME;
    hosts_.emplace_back(n, strnlen(n, MPI_MAX_PROCESSOR_NAME));
    multi_host_ = multi_host_ || hosts_.back() != hosts_.front();
  }
  Watchdog* none = nullptr;
  g_process.compare_exchange_strong(none, this);
  thread_ = std::thread([this] { multiple_ ? run_exchange() : run_local(); });
}

Watchdog::~Watchdog() {
  // Unwinding an exception means this rank alone is on its way to abort_job: the other ranks
  // will not join a stopping round, so leave without one (and without freeing the
  // communicator, which still has the open round).
  const bool abandon = std::uncaught_exceptions() > 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    abandon_ = abandon;
  }
  cv_.notify_all();
  thread_.join();
  Watchdog* self = this;
  g_process.compare_exchange_strong(self, nullptr);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && !abandon) MPI_Comm_free(&comm_);
}

void Watchdog::arm(double timeout_seconds) {
  armed_at_.store(monotonic_seconds());
  timeout_.store(std::max(0.0, timeout_seconds));
  if (timeout_seconds > 0) sticky_timeout_.store(timeout_seconds);
}

Watchdog::Beat Watchdog::my_beat() const {
  const PhaseMark m = current_phase();
  Beat b{};
  b.phase = static_cast<int32_t>(m.phase);
  b.step = m.step;
  b.timeout = timeout_.load();
  b.age = monotonic_seconds() - std::max(m.since_seconds, armed_at_.load());
  b.flags = b.timeout > 0 ? kArmed : 0;
  return b;
}

std::string Watchdog::rank_name(int r) const {
  std::string s = "rank " + std::to_string(r);
  if (multi_host_) s += " [host " + hosts_[static_cast<size_t>(r)] + "]";
  return s;
}

bool Watchdog::wait_or_stop(double seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stop_; });
  return stop_;
}

void Watchdog::report(const std::string& message) {
  if (fired_.exchange(true)) return;
  if (options_.on_stall) {
    options_.on_stall(message);
    return;
  }
  abort_job(message);
}

namespace {

bool is_stuck(const int32_t flags, const int32_t phase, const double age, const double timeout) {
  return (flags & kArmed) && !(flags & kStopping) && phase != static_cast<int32_t>(Phase::kDone) &&
         age > timeout;
}

}  // namespace

void Watchdog::judge(const Beat* beats, int n) {
  // Of the ranks over their timeout, blame the least advanced (util/phase.h): the others are
  // waiting for it in a collective. Equal positions (e.g. all inside one allreduce) are all
  // blamed.
  double limit = 0;
  bool any = false;
  std::pair<int64_t, int> least{INT64_MAX, INT32_MAX};
  for (int r = 0; r < n; ++r) {
    const Beat& b = beats[r];
    if (!is_stuck(b.flags, b.phase, b.age, b.timeout)) continue;
    any = true;
    limit = std::max(limit, b.timeout);
    least = std::min(least, {b.step, phase_progress_order(static_cast<Phase>(b.phase))});
  }
  if (!any) return;
  std::string msg = "watchdog: no progress for " + seconds_text(limit) + " s; last seen: ";
  for (int r = 0; r < n; ++r) {
    const Beat& b = beats[r];
    msg += (r ? ", " : "") + rank_name(r) + " ";
    if (b.flags & kStopping) {
      msg += "finished";
      continue;
    }
    msg += std::string(phase_name(static_cast<Phase>(b.phase))) + " step " +
           std::to_string(b.step) + " (" + seconds_text(b.age) + " s" +
           ((b.flags & kArmed) ? ")" : ", watchdog not armed)");
    const std::pair<int64_t, int> at{b.step, phase_progress_order(static_cast<Phase>(b.phase))};
    if (is_stuck(b.flags, b.phase, b.age, b.timeout) && at == least) msg += " <- stuck";
  }
  report(msg);
}

void Watchdog::run_exchange() {
  std::vector<Beat> table(static_cast<size_t>(size_)), last(static_cast<size_t>(size_));
  bool have_last = false;
  // Like table, these outlive every round (a request is only ever pending within one).
  std::vector<MPI_Request> presence(rank_ == 0 ? static_cast<size_t>(size_) : 1, MPI_REQUEST_NULL);
  std::vector<char> present(presence.size(), 0), heard(presence.size(), 0);
  for (;;) {
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping = stop_;
    }
    Beat mine = my_beat();
    if (stopping) mine.flags |= kStopping;
    // Presence messages of this round (kPresenceTag): rank 0 receives one from every rank.
    std::fill(heard.begin(), heard.end(), 0);
    bool presence_ok = true;
    for (int r = 1; rank_ == 0 && r < size_; ++r) {
      presence_ok =
          presence_ok && MPI_Irecv(&present[static_cast<size_t>(r)], 1, MPI_CHAR, r, kPresenceTag,
                                   comm_, &presence[static_cast<size_t>(r)]) == MPI_SUCCESS;
    }
    if (rank_ != 0) {
      presence_ok =
          MPI_Isend(&present[0], 1, MPI_CHAR, 0, kPresenceTag, comm_, &presence[0]) == MPI_SUCCESS;
    }
    if (!presence_ok) {
      log_line("watchdog: presence message failed; watching this rank only");
      run_local();
      return;
    }
    // Rank 0 hears itself; a non-root rank's one entry is its own send, which must complete
    // before the next round reuses the request.
    if (rank_ == 0) heard[0] = 1;
    MPI_Request req = MPI_REQUEST_NULL;
    if (MPI_Iallgather(&mine, sizeof(Beat), MPI_BYTE, table.data(), sizeof(Beat), MPI_BYTE, comm_,
                       &req) != MPI_SUCCESS) {
      log_line("watchdog: MPI_Iallgather failed; watching this rank only");
      run_local();
      return;
    }
    const double posted = monotonic_seconds();
    for (;;) {
      int done = 0;
      bool ok = MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS;
      bool all_heard = true;
      for (size_t r = 0; r < presence.size(); ++r) {
        int arrived = 0;  // a completed (null) request tests as arrived again
        ok = ok && MPI_Test(&presence[r], &arrived, MPI_STATUS_IGNORE) == MPI_SUCCESS;
        heard[r] = static_cast<char>(heard[r] || arrived);
        all_heard = all_heard && heard[r];
      }
      if (!ok) {
        log_line("watchdog: MPI_Test failed; watching this rank only");
        run_local();
        return;
      }
      if (done && all_heard) break;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (abandon_) return;
      }
      // A round only stays open when some rank's process no longer runs its heartbeat thread.
      const double limit =
          sticky_timeout_.load() + 4 * options_.period_seconds + (rank_ ? kNonRootGraceSeconds : 0);
      const double open = monotonic_seconds() - posted;
      if (sticky_timeout_.load() > 0 && open > limit && !fired_.load()) {
        std::string msg =
            "watchdog: no heartbeat round completed for " + seconds_text(open) + " s: ";
        std::string missing;
        for (int r = 1; rank_ == 0 && r < size_; ++r) {
          if (!heard[static_cast<size_t>(r)])
            missing += (missing.empty() ? "" : ", ") + rank_name(r);
        }
        msg += missing.empty() ? "some rank's process is frozen or gone"
                               : "no heartbeat from " + missing +
                                     " (host unreachable, or process frozen or gone)";
        msg += "; last seen:";
        for (int r = 0; have_last && r < size_; ++r) {
          msg += (r ? ", " : " ") + rank_name(r) + " " +
                 phase_name(static_cast<Phase>(last[r].phase)) + " step " +
                 std::to_string(last[r].step) + " (" + seconds_text(last[r].age) + " s)";
        }
        report(msg);
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(kPollSeconds));
    }
    last = table;
    have_last = true;
    bool all_stopping = true;
    for (const Beat& b : table) all_stopping = all_stopping && (b.flags & kStopping);
    if (all_stopping) return;
    if (rank_ == 0 && !fired_.load()) judge(table.data(), size_);
    if (!stopping) wait_or_stop(options_.period_seconds);
  }
}

void Watchdog::run_local() {
  while (!wait_or_stop(options_.period_seconds)) {
    Beat b = my_beat();
    if (!fired_.load() && is_stuck(b.flags, b.phase, b.age, b.timeout)) {
      std::string msg = "watchdog: no progress for " + seconds_text(b.timeout) +
                        " s; last seen: rank " + std::to_string(rank_) + " " +
                        phase_name(static_cast<Phase>(b.phase)) + " step " +
                        std::to_string(b.step) + " (" + seconds_text(b.age) +
                        " s) <- stuck (other ranks not watched: MPI without "
                        "MPI_THREAD_MULTIPLE)";
      report(msg);
    }
  }
}

WatchdogArm::WatchdogArm(double timeout_seconds) {
  Watchdog* w = Watchdog::process();
  if (w && timeout_seconds > 0) {
    w->arm(timeout_seconds);
    armed_ = true;
  }
}

WatchdogArm::~WatchdogArm() {
  Watchdog* w = Watchdog::process();
  if (armed_ && w) w->disarm();
}

}  // namespace imine

#include "imine/util/fault.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(trim(s.substr(start, at == std::string::npos ? std::string::npos : at - start)));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

int64_t parse_int(const std::string& v, const std::string& key, const std::string& where) {
  errno = 0;
  char* end = nullptr;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  IMINE_CHECK(!v.empty() && errno == 0 && end && *end == '\0')
      << where << ": " << key << " '" << v << "' is not an integer";
  return x;
}

double parse_seconds(const std::string& v, const std::string& where) {
  errno = 0;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  IMINE_CHECK(!v.empty() && errno == 0 && end && *end == '\0' && x >= 0 && x <= 86400)
      << where << ": sleep seconds '" << v << "' is not a number in [0, 86400]";
  return x;
}

Phase parse_phase(const std::string& v, const std::string& where) {
  for (int i = 0; i < kNumPhases; ++i)
    if (v == phase_name(static_cast<Phase>(i))) return static_cast<Phase>(i);
  std::string names;
  for (int i = 0; i < kNumPhases; ++i)
    names += std::string(i ? ", " : "") + phase_name(static_cast<Phase>(i));
  IMINE_FAIL() << where << ": unknown phase '" << v << "' (one of " << names << ")";
}

void parse_action(const std::string& v, const std::string& where, FaultSpec* f) {
  const size_t eq = v.find('=');
  const std::string name = v.substr(0, eq);
  const std::string arg = eq == std::string::npos ? "" : v.substr(eq + 1);
  const bool has_arg = eq != std::string::npos;
  struct Named {
    const char* name;
    FaultAction action;
  };
  static const Named kActions[] = {
      {"throw", FaultAction::kThrow}, {"exit", FaultAction::kExit}, {"abort", FaultAction::kAbort},
      {"segv", FaultAction::kSegv},   {"hang", FaultAction::kHang}, {"block", FaultAction::kBlock},
      {"sleep", FaultAction::kSleep}, {"nan", FaultAction::kNan},
  };
  for (const Named& n : kActions) {
    if (name != n.name) continue;
    f->action = n.action;
    if (n.action == FaultAction::kExit) {
      f->argument = has_arg ? static_cast<double>(parse_int(arg, "exit code", where)) : 3;
      IMINE_CHECK(f->argument >= 0 && f->argument <= 255)
          << where << ": exit code " << arg << " is outside [0, 255]";
    } else if (n.action == FaultAction::kSleep) {
      IMINE_CHECK(has_arg) << where << ": action sleep needs seconds (action=sleep=N)";
      f->argument = parse_seconds(arg, where);
    } else {
      IMINE_CHECK(!has_arg) << where << ": action " << name << " takes no argument";
    }
    return;
  }
  IMINE_FAIL() << where << ": unknown action '" << v
               << "' (one of throw, exit[=code], abort, segv, hang, block, sleep=N, nan)";
}

FaultSpec parse_one(const std::string& text, const std::string& origin) {
  const std::string where = origin + " fault '" + text + "'";
  FaultSpec f;
  f.text = text;
  bool has_action = false;
  for (const std::string& item : split(text, ',')) {
    const size_t eq = item.find('=');
    IMINE_CHECK(eq != std::string::npos) << where << ": '" << item << "' is not key=value";
    const std::string key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
    if (key == "rank") {
      const int64_t r = parse_int(value, key, where);
      IMINE_CHECK(r >= 0 && r <= INT32_MAX) << where << ": rank " << r << " is negative";
      f.rank = static_cast<int>(r);
    } else if (key == "step") {
      f.step = parse_int(value, key, where);
      IMINE_CHECK(*f.step >= 0) << where << ": step " << *f.step << " is negative";
    } else if (key == "phase") {
      f.phase = parse_phase(value, where);
    } else if (key == "action") {
      parse_action(value, where, &f);
      has_action = true;
    } else {
      IMINE_FAIL() << where << ": unknown key '" << key << "' (rank, step, phase, action)";
    }
  }
  IMINE_CHECK(has_action) << where << ": no action= given";
  return f;
}

// The installed faults. State: 0 not yet read from the environment, 1 inert, 2 active. The
// inert fast path is one acquire load per phase point.
std::atomic<int> g_state{0};
std::mutex g_mutex;
std::vector<FaultSpec> g_faults;
std::vector<bool> g_fired;

void install_locked(const std::string& text) {
  g_faults = parse_faults(text);
  g_fired.assign(g_faults.size(), false);
  g_state.store(g_faults.empty() ? 1 : 2, std::memory_order_release);
}

bool active() {
  int s = g_state.load(std::memory_order_acquire);
  if (s == 0) {
    std::lock_guard<std::mutex> lock(g_mutex);
    s = g_state.load(std::memory_order_acquire);
    if (s == 0) {
      const char* env = std::getenv("IMINE_FAULT");
      // Mark inert first: a parse error below is reported once, not at every phase point.
      g_state.store(1, std::memory_order_release);
      install_locked(env ? env : "");
      s = g_state.load(std::memory_order_acquire);
    }
  }
  return s == 2;
}

bool matches(const FaultSpec& f, int rank, Phase phase, int64_t step) {
  return (!f.rank || *f.rank == rank) && (!f.phase || *f.phase == phase) &&
         (!f.step || *f.step == step);
}

[[noreturn]] void spin_forever() {
  // A volatile store per iteration: the loop has a side effect, so it stays a loop.
  volatile uint64_t n = 0;
  for (;;) n = n + 1;
}

[[noreturn]] void block_forever() {
  // Reads a pipe whose write end this process keeps open: read() waits forever in the kernel,
  // like a rank stuck on a dead file system or socket.
  int fds[2];
  if (::pipe(fds) == 0) {
    char c;
    for (;;) {
      if (::read(fds[0], &c, 1) < 0 && errno != EINTR) break;
    }
  }
  spin_forever();
}

}  // namespace

std::vector<FaultSpec> parse_faults(const std::string& text, const std::string& origin) {
  std::vector<FaultSpec> out;
  if (trim(text).empty()) return out;
  for (const std::string& one : split(text, ';')) {
    if (one.empty()) continue;
    out.push_back(parse_one(one, origin));
  }
  return out;
}

void install_faults(const std::string& text) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_state.store(1, std::memory_order_release);
  install_locked(text);
}

void reload_faults_from_environment() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_faults.clear();
  g_fired.clear();
  g_state.store(0, std::memory_order_release);
}

void fault_point(Phase phase, int64_t step) {
  if (!active()) return;
  const int rank = log_rank();
  const FaultSpec* hit = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (size_t i = 0; i < g_faults.size(); ++i) {
      if (g_fired[i] || g_faults[i].action == FaultAction::kNan) continue;
      if (!matches(g_faults[i], rank, phase, step)) continue;
      g_fired[i] = true;
      hit = &g_faults[i];
      break;
    }
  }
  // Run outside the lock: hang/block never return. The spec stays valid (never erased).
  if (hit) run_fault_action(*hit, phase, step);
}

bool fault_wants_nan(int64_t step) {
  if (!active()) return false;
  const int rank = log_rank();
  const Phase phase = current_phase().phase;
  std::lock_guard<std::mutex> lock(g_mutex);
  for (size_t i = 0; i < g_faults.size(); ++i) {
    if (g_fired[i] || g_faults[i].action != FaultAction::kNan) continue;
    if (!matches(g_faults[i], rank, phase, step)) continue;
    g_fired[i] = true;
    log_line("fault injection (IMINE_FAULT '" + g_faults[i].text + "'): non-finite loss at " +
             phase_name(phase) + " step " + std::to_string(step));
    return true;
  }
  return false;
}

void run_fault_action(const FaultSpec& f, Phase phase, int64_t step) {
  const std::string at = std::string(phase_name(phase)) + " step " + std::to_string(step);
  const std::string what = "fault injection (IMINE_FAULT '" + f.text + "') at " + at;
  switch (f.action) {
    case FaultAction::kThrow:
      IMINE_FAIL() << what;
    case FaultAction::kExit:
      log_line(what + ": exit " + std::to_string(static_cast<int>(f.argument)));
      std::_Exit(static_cast<int>(f.argument));
    case FaultAction::kAbort:
      log_line(what + ": abort");
      std::abort();
    case FaultAction::kSegv:
      log_line(what + ": SIGSEGV");
      std::signal(SIGSEGV, SIG_DFL);
      std::raise(SIGSEGV);
      std::_Exit(128 + SIGSEGV);  // not reached unless SIGSEGV is blocked
    case FaultAction::kHang:
      log_line(what + ": hang (spinning)");
      spin_forever();
    case FaultAction::kBlock:
      log_line(what + ": block (read on an empty pipe)");
      block_forever();
    case FaultAction::kSleep:
      log_line(what + ": sleep " + (std::ostringstream() << f.argument).str() + " s");
      std::this_thread::sleep_for(std::chrono::duration<double>(f.argument));
      return;
    case FaultAction::kNan:
      return;  // the caller asks fault_wants_nan()
  }
}

}  // namespace imine

#include "imine/train/step_monitor.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "imine/dist/communicator.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

StepMonitor::StepMonitor(int64_t straggler_every, int64_t trace_steps, const Communicator& comm)
    : comm_(comm),
      straggler_every_(straggler_every),
      trace_steps_(trace_steps),
      // About 6 spans per step; a full buffer drops further spans.
      tracer_(trace_steps > 0 ? static_cast<size_t>(trace_steps) * 8 : 0),
      origin_(monotonic_seconds()) {}

void StepMonitor::close_span(double now) {
  if (phase_ == Phase::kStartup) return;
  if (phase_ != Phase::kAllreduce) compute_s_ += now - phase_start_;
  if (step_ < trace_steps_) tracer_.add(phase_name(phase_), 0, step_, phase_start_, now);
}

void StepMonitor::begin(Phase phase, int64_t step) {
  const double now = monotonic_seconds();
  close_span(now);
  if (phase == Phase::kFeatures) step_start_ = now;
  phase_ = phase;
  step_ = step;
  phase_start_ = now;
  enter_phase(phase, step);
}

void StepMonitor::end_step(int64_t step) {
  const double now = monotonic_seconds();
  close_span(now);
  phase_ = Phase::kStartup;
  window_s_ += now - step_start_;
  ++window_steps_;
  if (straggler_every_ <= 0 || (step + 1) % straggler_every_ != 0) return;
  // Compute time per step of every rank over the window (the allreduce wait excluded: a slow
  // rank makes everyone else wait there, so their compute time stays short).
  const int64_t micros = static_cast<int64_t>(compute_s_ / window_steps_ * 1e6);
  std::vector<int64_t> all = comm_.allgather(micros);
  if (comm_.is_root()) {
    std::vector<int> order(all.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return all[a] < all[b]; });
    std::ostringstream s;
    s.precision(3);
    s << "step time over steps " << step + 1 - window_steps_ << "-" << step << ": "
      << window_s_ / window_steps_ * 1e3 << " ms/step; compute per rank (ms) min "
      << all[order.front()] / 1e3 << " (rank " << order.front() << ") median "
      << all[order[order.size() / 2]] / 1e3 << " max " << all[order.back()] / 1e3 << " (rank "
      << order.back() << "); slowest:";
    for (size_t i = 0; i < std::min<size_t>(3, order.size()); ++i)
      s << " " << order[order.size() - 1 - i];
    IMINE_LOG() << s.str();
  }
  compute_s_ = window_s_ = 0;
  window_steps_ = 0;
}

void StepMonitor::write_trace(const std::string& path) {
  const auto& spans = tracer_.spans();
  std::vector<char> raw = comm_.gather_bytes(spans.data(), spans.size() * sizeof(TraceSpan));
  std::vector<int64_t> counts = comm_.allgather(static_cast<int64_t>(spans.size()));
  // Every rank's clock starts at its own origin; align them on the earliest origin.
  int64_t origin_us = static_cast<int64_t>(origin_ * 1e6);
  origin_us = comm_.allreduce_min(origin_us);
  if (!comm_.is_root()) return;
  std::vector<std::vector<TraceSpan>> per_rank(counts.size());
  size_t at = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    per_rank[r].resize(static_cast<size_t>(counts[r]));
    std::memcpy(per_rank[r].data(), raw.data() + at, per_rank[r].size() * sizeof(TraceSpan));
    at += per_rank[r].size() * sizeof(TraceSpan);
  }
  AtomicOutput out(path);
  {
    std::ofstream f(out.temp_path());
    f << chrome_trace_json(per_rank, origin_us / 1e6);
    IMINE_CHECK(f.good()) << path << ": write failed";
  }
  out.commit();
  IMINE_LOG() << "trace: " << path << " (" << at / sizeof(TraceSpan) << " spans)";
}

}  // namespace imine

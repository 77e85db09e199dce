// A timeline of what each rank did, for chrome://tracing or Perfetto: spans of read, features,
// forward, backward, allreduce, optimizer, validate, checkpoint, labels. Recording is a
// push_back into a preallocated buffer; a full buffer drops further spans (counted), so
// tracing a long run costs bounded memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imine {

struct TraceSpan {
  char name[24];
  int32_t tid;  // 0: main thread compute, 1: communication in flight
  int64_t step;
  double begin_s;  // monotonic seconds
  double end_s;
};

class Tracer {
 public:
  explicit Tracer(size_t max_spans = 0);  // 0: disabled
  bool enabled() const { return max_spans_ > 0; }
  void add(const char* name, int tid, int64_t step, double begin_s, double end_s);
  const std::vector<TraceSpan>& spans() const { return spans_; }
  uint64_t dropped() const { return dropped_; }

 private:
  size_t max_spans_;
  std::vector<TraceSpan> spans_;
  uint64_t dropped_ = 0;
};

// Chrome trace JSON ("traceEvents", complete events "ph":"X", microseconds) for the spans of
// every rank; pid = rank. `origin_s` is subtracted from all times.
std::string chrome_trace_json(const std::vector<std::vector<TraceSpan>>& per_rank, double origin_s);

}  // namespace imine

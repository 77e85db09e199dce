#include "imine/util/trace.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace imine {

Tracer::Tracer(size_t max_spans) : max_spans_(max_spans) { spans_.reserve(max_spans); }

void Tracer::add(const char* name, int tid, int64_t step, double begin_s, double end_s) {
  if (!enabled()) return;
  if (spans_.size() >= max_spans_) {
    ++dropped_;
    return;
  }
  TraceSpan s{};
  std::strncpy(s.name, name, sizeof(s.name) - 1);
  s.tid = tid;
  s.step = step;
  s.begin_s = begin_s;
  s.end_s = std::max(end_s, begin_s);
  spans_.push_back(s);
}

std::string chrome_trace_json(const std::vector<std::vector<TraceSpan>>& per_rank,
                              double origin_s) {
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  char buf[256];
  for (size_t rank = 0; rank < per_rank.size(); ++rank) {
    for (int tid = 0; tid < 2; ++tid) {
      std::snprintf(buf, sizeof(buf),
                    "%s{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%zu,\"tid\":%d,"
                    "\"args\":{\"name\":\"%s\"}}",
                    first ? "" : ",\n", rank, tid, tid == 0 ? "compute" : "allreduce");
      out += buf;
      first = false;
    }
    for (const TraceSpan& s : per_rank[rank]) {
      char name[sizeof(s.name) + 1] = {};
      std::memcpy(name, s.name, sizeof(s.name));
      std::snprintf(buf, sizeof(buf),
                    ",\n{\"ph\":\"X\",\"name\":\"%s\",\"pid\":%zu,\"tid\":%d,\"ts\":%.3f,"
                    "\"dur\":%.3f,\"args\":{\"step\":%lld}}",
                    name, rank, s.tid, (s.begin_s - origin_s) * 1e6, (s.end_s - s.begin_s) * 1e6,
                    static_cast<long long>(s.step));
      out += buf;
    }
  }
  out += "\n]}\n";
  return out;
}

}  // namespace imine

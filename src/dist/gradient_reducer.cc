#include "imine/dist/gradient_reducer.h"

#include <algorithm>

#include "imine/dist/communicator.h"
#include "imine/util/error.h"
#include "imine/util/phase.h"

namespace imine {

GradientReducer::GradientReducer(const Communicator& comm, float* grads, size_t n,
                                 std::vector<size_t> boundaries, size_t bucket_bytes)
    : comm_(comm.comm()), grads_(grads), n_(n) {
  IMINE_CHECK(bucket_bytes >= sizeof(float)) << "gradient bucket size must be positive";
  boundaries.push_back(0);
  boundaries.push_back(n);
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  IMINE_CHECK(boundaries.back() == n) << "gradient layer boundary beyond the buffer";
  // Walk layer boundaries from the end; close a bucket when adding the next layer would pass
  // the byte budget. MPI counts are ints: a bucket never exceeds INT_MAX floats either.
  const size_t max_floats = std::min<size_t>(bucket_bytes / sizeof(float), (size_t{1} << 31) - 1);
  size_t end = n;
  for (size_t i = boundaries.size() - 1; i-- > 0;) {
    const size_t layer_begin = boundaries[i];
    const bool last = i == 0;
    const size_t next_begin = last ? 0 : boundaries[i - 1];
    // Emit [layer_begin, end) if the next layer would not fit, or at the start of the buffer.
    if (last || end - next_begin > max_floats) {
      if (end > layer_begin) buckets_.push_back({layer_begin, end});
      end = layer_begin;
    }
  }
  // A single layer above the budget is split so no message exceeds the int count limit.
  std::vector<Bucket> split;
  for (const Bucket& b : buckets_) {
    for (size_t e = b.end; e > b.begin;) {
      const size_t s = e - b.begin > max_floats ? e - max_floats : b.begin;
      split.push_back({s, e});
      e = s;
    }
  }
  buckets_ = std::move(split);
  timings_.resize(buckets_.size());
}

GradientReducer::~GradientReducer() {
  // A step abandoned by an exception still owns requests; cancel-free cleanup is to wait, but
  // waiting could hang if a peer died: the job is being aborted then anyway, so just free.
  for (Bucket& b : buckets_)
    if (b.request != MPI_REQUEST_NULL) MPI_Request_free(&b.request);
}

void GradientReducer::begin_step() {
  for (Bucket& b : buckets_) {
    IMINE_CHECK(b.request == MPI_REQUEST_NULL) << "gradient reduction of the last step unfinished";
    b.started = false;
  }
  next_ = 0;
}

void GradientReducer::start(Bucket& b) {
  const int rc = MPI_Iallreduce(MPI_IN_PLACE, grads_ + b.begin, static_cast<int>(b.end - b.begin),
                                MPI_FLOAT, MPI_SUM, comm_, &b.request);
  IMINE_CHECK(rc == MPI_SUCCESS) << "MPI_Iallreduce of gradients failed";
  b.started = true;
  timings_[static_cast<size_t>(&b - buckets_.data())].start = monotonic_seconds();
}

void GradientReducer::progress() {
  // MPI_Test drives Open MPI's nonblocking collectives forward between layers.
  for (size_t i = 0; i < next_; ++i) {
    Bucket& b = buckets_[i];
    if (b.request == MPI_REQUEST_NULL) continue;
    int done = 0;
    IMINE_CHECK(MPI_Test(&b.request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS)
        << "gradient reduction failed";
    if (done) timings_[i].end = monotonic_seconds();
  }
}

void GradientReducer::ready_from(size_t offset) {
  while (next_ < buckets_.size() && buckets_[next_].begin >= offset) start(buckets_[next_++]);
  progress();
}

void GradientReducer::finish() {
  while (next_ < buckets_.size()) start(buckets_[next_++]);
  for (size_t i = 0; i < buckets_.size(); ++i) {
    Bucket& b = buckets_[i];
    if (b.request == MPI_REQUEST_NULL) continue;
    IMINE_CHECK(MPI_Wait(&b.request, MPI_STATUS_IGNORE) == MPI_SUCCESS)
        << "gradient reduction failed";
    timings_[i].end = monotonic_seconds();
  }
}

}  // namespace imine

#include "imine/dist/gradient_reducer.h"

#include "imine/dist/communicator.h"
#include "imine/util/error.h"
#include "imine/util/phase.h"

namespace imine {

GradientReducer::GradientReducer(const Communicator& comm, float* grads, size_t n,
                                 std::vector<size_t> boundaries, size_t bucket_bytes, bool overlap)
    : comm_(comm.comm()), grads_(grads), overlap_(overlap) {
  for (const auto& [begin, end] : gradient_buckets(n, std::move(boundaries), bucket_bytes))
    buckets_.push_back({begin, end, MPI_REQUEST_NULL});
  timings_.resize(buckets_.size());
}

GradientReducer::~GradientReducer() {
  // A step abandoned by an exception still owns requests; cancel-free cleanup is to wait, but
  // waiting could hang if a peer died: the job is being aborted then anyway, so just free.
  for (Bucket& b : buckets_)
    if (b.request != MPI_REQUEST_NULL) MPI_Request_free(&b.request);
}

void GradientReducer::begin_step() {
  for (Bucket& b : buckets_)
    IMINE_CHECK(b.request == MPI_REQUEST_NULL) << "gradient reduction of the last step unfinished";
  next_ = 0;
}

void GradientReducer::start(Bucket& b) {
  const int rc = MPI_Iallreduce(MPI_IN_PLACE, grads_ + b.begin, static_cast<int>(b.end - b.begin),
                                MPI_FLOAT, MPI_SUM, comm_, &b.request);
  IMINE_CHECK(rc == MPI_SUCCESS) << "MPI_Iallreduce of gradients failed";
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
  if (!overlap_) return;
  while (next_ < buckets_.size() && buckets_[next_].begin >= offset) start(buckets_[next_++]);
  progress();
}

void GradientReducer::finish() {
  if (!overlap_) {
    for (size_t i = 0; i < buckets_.size(); ++i) {
      const Bucket& b = buckets_[i];
      timings_[i].start = monotonic_seconds();
      IMINE_CHECK(MPI_Allreduce(MPI_IN_PLACE, grads_ + b.begin, static_cast<int>(b.end - b.begin),
                                MPI_FLOAT, MPI_SUM, comm_) == MPI_SUCCESS)
          << "gradient reduction failed";
      timings_[i].end = monotonic_seconds();
    }
    return;
  }
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

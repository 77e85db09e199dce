// Sums the flat gradient buffer over all ranks in buckets, started while backward is still
// running (like PyTorch DDP's buckets and Horovod's fusion buffer). Backward produces gradients
// from the last layer to the first, i.e. from the end of the flat buffer towards its start, so
// buckets are cut from the end along layer boundaries and each one is handed to a nonblocking
// MPI_Iallreduce as soon as the backward pass has moved below its start.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <vector>

namespace imine {

class Communicator;

class GradientReducer {
 public:
  // grads: the flat gradient buffer of n floats (it must stay at this address). boundaries:
  // offsets where one layer's gradients end and the next begin (any order; 0 and n implied).
  // A bucket holds whole layers and at most bucket_bytes (a single larger layer gets a bucket
  // of its own).
  GradientReducer(const Communicator& comm, float* grads, size_t n, std::vector<size_t> boundaries,
                  size_t bucket_bytes);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // Call before the backward pass of every step.
  void begin_step();
  // grads[offset, n) are final for this step: start every bucket lying inside, and give the
  // ones in flight a chance to progress.
  void ready_from(size_t offset);
  // Starts what is left and waits until every bucket is summed. Afterwards grads holds the sum
  // over all ranks.
  void finish();

  size_t num_buckets() const { return buckets_.size(); }
  // When each bucket's reduction started and was seen complete in the last step (monotonic
  // seconds), for the trace.
  struct Timing {
    double start = 0, end = 0;
  };
  const std::vector<Timing>& timings() const { return timings_; }
  // [begin, end) of bucket i; bucket 0 is the last part of the buffer (reduced first).
  std::pair<size_t, size_t> bucket(size_t i) const { return {buckets_[i].begin, buckets_[i].end}; }

 private:
  struct Bucket {
    size_t begin = 0, end = 0;
    MPI_Request request = MPI_REQUEST_NULL;
    bool started = false;
  };
  std::vector<Timing> timings_;
  void start(Bucket& b);
  void progress();

  MPI_Comm comm_;
  float* grads_;
  size_t n_;
  std::vector<Bucket> buckets_;  // from the end of the buffer towards its start
  size_t next_ = 0;              // first bucket not started yet
};

}  // namespace imine

// The mpi gradient reduction (dist/gradient_reduction.h): each bucket is handed to a
// nonblocking MPI_Iallreduce as soon as backward has moved below its start (like PyTorch DDP's
// buckets and Horovod's fusion buffer). Backward produces gradients from the last layer to the
// first, i.e. from the end of the flat buffer towards its start, so buckets are cut from the
// end along layer boundaries.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <vector>

#include "imine/dist/gradient_reduction.h"

namespace imine {

class GradientReducer final : public GradientReduction {
 public:
  // grads: the flat gradient buffer of n floats (it must stay at this address). boundaries and
  // bucket_bytes as for gradient_buckets(). overlap false: ready_from() does nothing and
  // finish() sums the buckets with blocking allreduces.
  GradientReducer(const Communicator& comm, float* grads, size_t n, std::vector<size_t> boundaries,
                  size_t bucket_bytes, bool overlap = true);
  ~GradientReducer() override;
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  void begin_step() override;
  void ready_from(size_t offset) override;
  void finish() override;

  const char* name() const override { return "mpi"; }
  size_t num_buckets() const override { return buckets_.size(); }
  const std::vector<Timing>& timings() const override { return timings_; }
  std::pair<size_t, size_t> bucket(size_t i) const override {
    return {buckets_[i].begin, buckets_[i].end};
  }

 private:
  struct Bucket {
    size_t begin = 0, end = 0;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  void start(Bucket& b);
  void progress();

  MPI_Comm comm_;
  float* grads_;
  bool overlap_;
  std::vector<Bucket> buckets_;  // from the end of the buffer towards its start
  std::vector<Timing> timings_;
  size_t next_ = 0;  // first bucket not started yet
};

}  // namespace imine

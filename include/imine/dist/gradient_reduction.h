// Summing the flat gradient buffer over all ranks, one bucket at a time as backward finishes the
// layers inside it. Two ways, chosen once per run (--reducer):
//  - mpi (dist/gradient_reducer.h): each bucket is an MPI_Iallreduce. Works everywhere; on a
//    cluster the network card moves the bytes while backward runs.
//  - shm (dist/shared_memory_reducer.h): when every rank is on one host, the gradient buffers
//    live in an MPI-3 shared-memory window and whichever rank is free sums a bucket in place,
//    in parts claimed through atomics: no copies into and out of MPI's buffers, and a rank that
//    finishes backward early spends its wait on the reduction.
// Both sum in rank order, so at two ranks they give bitwise the same gradients.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace imine {

class Communicator;

class GradientReduction {
 public:
  virtual ~GradientReduction() = default;

  // Call before the backward pass of every step.
  virtual void begin_step() = 0;
  // grads[offset, n) are final for this step: buckets lying inside may start.
  virtual void ready_from(size_t offset) = 0;
  // Returns once every bucket is summed over all ranks: afterwards the gradient buffer holds
  // the sum (the same bytes on every rank).
  virtual void finish() = 0;

  // The buffer backward must write the gradients into, or null if any buffer will do (then the
  // reduction works on the one it was given). shm needs its own: the shared window.
  virtual float* gradient_storage() { return nullptr; }

  virtual const char* name() const = 0;
  virtual size_t num_buckets() const = 0;
  // When each bucket's reduction started and was seen complete in the last step (monotonic
  // seconds), for the trace.
  struct Timing {
    double start = 0, end = 0;
  };
  virtual const std::vector<Timing>& timings() const = 0;
  // [begin, end) of bucket i; bucket 0 is the last part of the buffer (reduced first).
  virtual std::pair<size_t, size_t> bucket(size_t i) const = 0;
};

// Buckets of whole layers cut from the end of a buffer of n floats, each at most bucket_bytes
// (a single larger layer is split) and at most INT_MAX floats. boundaries: offsets where one
// layer's gradients end and the next begin (any order; 0 and n implied).
std::vector<std::pair<size_t, size_t>> gradient_buckets(size_t n, std::vector<size_t> boundaries,
                                                        size_t bucket_bytes);

// --reducer: "auto" (shm when every rank shares one host and its shared memory has room, else
// mpi), "mpi" or "shm" (an error if the ranks cannot share memory). Collective over comm.
// grads: the gradient buffer the mpi reducer works on. bucket_bytes 0: one bucket, summed
// after backward. Null when comm has one rank.
std::unique_ptr<GradientReduction> make_gradient_reduction(const Communicator& comm, float* grads,
                                                           size_t n, std::vector<size_t> boundaries,
                                                           size_t bucket_bytes,
                                                           const std::string& kind);

}  // namespace imine

// The shm gradient reduction (dist/gradient_reduction.h), for ranks that share one host. Every
// rank's gradient buffer is its slot in an MPI-3 shared-memory window (MPI_Win_allocate_shared),
// so the reduction needs no copies: a bucket, once every rank has finished it, is split into
// parts of kPartFloats, and whichever rank is free claims the next part (an atomic counter in
// the window), sums that range over all slots in rank order and writes the sum back into every
// slot. A rank claims parts of finished buckets between its own layers and, in finish(), while
// it waits for slower ranks, so the early rank's idle time goes into the reduction.
//
// No barrier per step: every flag and counter only grows (it counts steps or parts), so a rank
// can run ahead into the next step's backward while a slower one still reads this step's sums:
// its slot is only written again by reductions that need the slow rank's own "ready" flag.
// A rank that dies ends the job through mpirun; one that stalls is named by the watchdog.
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imine/dist/gradient_reduction.h"

namespace imine {

class SharedMemoryReducer final : public GradientReduction {
 public:
  static constexpr size_t kPartFloats = 8192;  // 32 KiB: fits L1/L2 with room for p slots

  // Collective over comm, whose ranks must all share memory (the caller checks, and that the
  // windows fit: shared_memory_fits()). Allocates p slots of n floats (zeroed) and the
  // counters; a failure throws (Open MPI may leave the other ranks waiting inside the
  // allocation, so the job must end). buckets as from gradient_buckets(). overlap false:
  // ready_from() does nothing and everything is summed in finish().
  SharedMemoryReducer(const Communicator& comm, size_t n,
                      std::vector<std::pair<size_t, size_t>> buckets, bool overlap = true);
  // Collective on the normal path (frees the windows); while an exception unwinds it only lets
  // go, since the other ranks may never get here (the job is being aborted).
  ~SharedMemoryReducer() override;
  SharedMemoryReducer(const SharedMemoryReducer&) = delete;
  SharedMemoryReducer& operator=(const SharedMemoryReducer&) = delete;

  void begin_step() override;
  void ready_from(size_t offset) override;
  void finish() override;
  float* gradient_storage() override { return slots_[static_cast<size_t>(rank_)]; }

  const char* name() const override { return "shm"; }
  size_t num_buckets() const override { return buckets_.size(); }
  // From the moment every rank had finished the bucket (its reduction could start) until its
  // last part was summed, by whichever ranks did it: the same span on every rank.
  const std::vector<Timing>& timings() const override { return timings_; }
  std::pair<size_t, size_t> bucket(size_t i) const override {
    return {buckets_[i].begin, buckets_[i].end};
  }
  // Parts this rank summed in the last step (tests: the work is shared).
  size_t parts_reduced() const { return parts_reduced_; }

 private:
  struct Bucket {
    size_t begin = 0, end = 0;
    uint64_t parts = 0;  // ceil((end - begin) / kPartFloats)
  };
  // One cache line per counter: ranks hammer them from different cores.
  struct alignas(64) Counter {
    std::atomic<uint64_t> value;
  };
  static_assert(std::atomic<uint64_t>::is_always_lock_free,
                "counters shared between processes must be lock-free");

  Counter& ready(int rank, size_t bucket) {
    return ready_[static_cast<size_t>(rank) * buckets_.size() + bucket];
  }
  Counter& published_ns(int rank, size_t bucket) {
    return published_ns_[static_cast<size_t>(rank) * buckets_.size() + bucket];
  }
  void publish(size_t bucket);
  bool all_ready(size_t bucket);
  // Claims and sums parts of the bucket until none is left; true if any was claimed.
  bool reduce_parts(size_t bucket);
  void sum_range(size_t begin, size_t end);

  // This rank's part of a shared window.
  static MPI_Win allocate(const Communicator& comm, size_t bytes, const char* what);

  int rank_ = 0, size_ = 1;
  bool overlap_;
  std::vector<Bucket> buckets_;
  std::vector<Timing> timings_;
  std::vector<float*> slots_;   // every rank's slot, mapped in this process
  Counter* claimed_ = nullptr;  // per bucket: parts claimed over all steps
  Counter* done_ = nullptr;     // per bucket: parts summed over all steps
  Counter* ready_ = nullptr;    // per rank and bucket: the last step that rank finished it
  // For the trace, in steady-clock nanoseconds (one clock for every process on the host):
  Counter* published_ns_ = nullptr;  // per rank and bucket: when it was last published
  Counter* summed_ns_ = nullptr;     // per bucket: when its last part of the step was summed
  MPI_Win slot_win_ = MPI_WIN_NULL, control_win_ = MPI_WIN_NULL;
  uint64_t step_ = 0;  // counts begin_step() calls; 1 in the first step
  size_t next_ = 0;    // first bucket this rank has not published in this step
  size_t parts_reduced_ = 0;
};

// True on every rank if all of comm's ranks share memory (one host). Collective.
bool ranks_share_memory(const Communicator& comm);
// Whether the windows for n floats per rank fit on every rank: free space in Open MPI's
// backing directory for shared windows (default /dev/shm) with a quarter to spare, and the
// file size limit (ulimit -f), since the window is a file there. False with the reason in
// *why. Collective.
bool shared_memory_fits(const Communicator& comm, size_t n, std::string* why);

}  // namespace imine

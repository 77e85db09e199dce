#include "imine/dist/shared_memory_reducer.h"

#include <immintrin.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <sstream>
#include <string>

#include "imine/dist/communicator.h"
#include "imine/util/error.h"
#include "imine/util/phase.h"

namespace imine {
namespace {

constexpr size_t kPage = 4096;

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

// Spins briefly, then yields the core: with more ranks than cores the rank being waited for
// may need this one.
void back_off(int* spins) {
  if (*spins < 2000) {
    _mm_pause();
  } else {
    sched_yield();
  }
  ++*spins;
}

}  // namespace

bool ranks_share_memory(const Communicator& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  IMINE_CHECK(MPI_Comm_split_type(comm.comm(), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
              MPI_SUCCESS)
      << "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) failed";
  int node_size = 0;
  MPI_Comm_size(node, &node_size);
  MPI_Comm_free(&node);
  return node_size == comm.size();
}

MPI_Win SharedMemoryReducer::allocate(const Communicator& comm, size_t bytes, const char* what) {
  void* base = nullptr;
  MPI_Win win = MPI_WIN_NULL;
  const int rc = MPI_Win_allocate_shared(static_cast<MPI_Aint>(bytes), 1, MPI_INFO_NULL,
                                         comm.comm(), &base, &win);
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING] = {};
    int len = 0;
    MPI_Error_string(rc, text, &len);
    IMINE_FAIL() << "MPI_Win_allocate_shared of " << bytes << " bytes for " << what
                 << " failed: " << text << " (--reducer mpi avoids shared windows)";
  }
  return win;
}

bool shared_memory_fits(const Communicator& comm, size_t n, std::string* why) {
  const char* dir = std::getenv("OMPI_MCA_osc_sm_backing_directory");
  const std::string where = dir && *dir ? dir : "/dev/shm";
  // Rank 0's file holds every rank's slot.
  const double need =
      static_cast<double>(comm.size()) * (round_up(n * sizeof(float) + 64, kPage) + kPage);
  std::ostringstream reason;
  struct statvfs st {};
  struct rlimit limit {};
  if (statvfs(where.c_str(), &st) != 0) {
    reason << "cannot stat " << where;
  } else if (static_cast<double>(st.f_bavail) * st.f_frsize < 1.25 * need) {
    reason << where << " has " << static_cast<double>(st.f_bavail) * st.f_frsize / 1048576
           << " MiB free, the gradient windows need " << 1.25 * need / 1048576;
  } else if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
             static_cast<double>(limit.rlim_cur) < need) {
    reason << "the file size limit (ulimit -f) is below the gradient windows' " << need / 1048576
           << " MiB";
  }
  *why = reason.str();
  const bool all = comm.allreduce_min(int64_t{why->empty() ? 1 : 0}) == 1;
  if (!all && why->empty()) *why = "another rank's shared memory is too small";
  return all;
}

SharedMemoryReducer::SharedMemoryReducer(const Communicator& comm, size_t n,
                                         std::vector<std::pair<size_t, size_t>> buckets,
                                         bool overlap)
    : rank_(comm.rank()), size_(comm.size()), overlap_(overlap) {
  for (const auto& [begin, end] : buckets)
    buckets_.push_back({begin, end, (end - begin + kPartFloats - 1) / kPartFloats});
  timings_.resize(buckets_.size());
  const size_t nb = buckets_.size(), p = static_cast<size_t>(size_);

  // Slots: n floats per rank, padded to whole pages plus room to align the start to 64 bytes
  // (the kernels must see the same alignment as with the model's own buffer). Control, all in
  // rank 0's part: claimed, done and summed_ns per bucket, ready and published_ns per rank and
  // bucket.
  const size_t slot_bytes = round_up(n * sizeof(float) + 64, kPage);
  const size_t counters = 3 * nb + 2 * p * nb;
  slot_win_ = allocate(comm, slot_bytes, "the gradients");
  control_win_ =
      allocate(comm, rank_ == 0 ? counters * sizeof(Counter) + 64 : 0, "the gradient counters");

  slots_.resize(p);
  for (int q = 0; q < size_; ++q) {
    MPI_Aint bytes = 0;
    int disp = 0;
    void* at = nullptr;
    IMINE_CHECK(MPI_Win_shared_query(slot_win_, q, &bytes, &disp, &at) == MPI_SUCCESS)
        << "MPI_Win_shared_query failed";
    size_t space = static_cast<size_t>(bytes);
    void* aligned = std::align(64, n * sizeof(float), at, space);
    IMINE_CHECK(aligned != nullptr) << "shared gradient slot of rank " << q << " too small";
    slots_[static_cast<size_t>(q)] = static_cast<float*>(aligned);
  }
  // Touch this rank's pages now: a full /dev/shm shows here, not as SIGBUS in the middle of a
  // run.
  std::memset(slots_[static_cast<size_t>(rank_)], 0, n * sizeof(float));

  void* control = nullptr;
  MPI_Aint bytes = 0;
  int disp = 0;
  IMINE_CHECK(MPI_Win_shared_query(control_win_, 0, &bytes, &disp, &control) == MPI_SUCCESS)
      << "MPI_Win_shared_query failed";
  size_t space = static_cast<size_t>(bytes);
  void* aligned = std::align(64, counters * sizeof(Counter), control, space);
  IMINE_CHECK(aligned != nullptr) << "shared gradient counters misplaced";
  Counter* c = static_cast<Counter*>(aligned);
  if (rank_ == 0)
    for (size_t i = 0; i < counters; ++i) new (&c[i].value) std::atomic<uint64_t>(0);
  claimed_ = c;
  done_ = c + nb;
  summed_ns_ = c + 2 * nb;
  ready_ = c + 3 * nb;
  published_ns_ = ready_ + p * nb;
  comm.barrier();  // counters constructed, every slot zeroed
}

SharedMemoryReducer::~SharedMemoryReducer() {
  if (std::uncaught_exceptions() > 0) return;  // MPI_Win_free is collective
  MPI_Win_free(&control_win_);
  MPI_Win_free(&slot_win_);
}

void SharedMemoryReducer::begin_step() {
  ++step_;
  next_ = 0;
  parts_reduced_ = 0;
  for (Timing& t : timings_) t = Timing{};
}

namespace {
uint64_t now_ns() { return static_cast<uint64_t>(monotonic_seconds() * 1e9); }
}  // namespace

void SharedMemoryReducer::publish(size_t b) {
  published_ns(rank_, b).value.store(now_ns(), std::memory_order_relaxed);
  // Release: the slot's gradients (and the time) are visible to whoever sees the flag.
  ready(rank_, b).value.store(step_, std::memory_order_release);
}

bool SharedMemoryReducer::all_ready(size_t b) {
  for (int q = 0; q < size_; ++q)
    if (ready(q, b).value.load(std::memory_order_acquire) < step_) return false;
  return true;
}

void SharedMemoryReducer::sum_range(size_t begin, size_t end) {
  // In rank order, so every rank (and the mpi reducer at two ranks) gets the same bits.
  if (size_ == 2) {
    float* a = slots_[0];
    float* b = slots_[1];
    for (size_t i = begin; i < end; ++i) {
      const float s = a[i] + b[i];
      a[i] = s;
      b[i] = s;
    }
    return;
  }
  constexpr size_t kTile = 512;
  alignas(64) float acc[kTile];
  for (size_t at = begin; at < end; at += kTile) {
    const size_t len = std::min(kTile, end - at);
    std::memcpy(acc, slots_[0] + at, len * sizeof(float));
    for (size_t q = 1; q < slots_.size(); ++q) {
      const float* s = slots_[q] + at;
      for (size_t i = 0; i < len; ++i) acc[i] += s[i];
    }
    for (float* s : slots_) std::memcpy(s + at, acc, len * sizeof(float));
  }
}

bool SharedMemoryReducer::reduce_parts(size_t b) {
  const Bucket& bk = buckets_[b];
  const uint64_t first = (step_ - 1) * bk.parts, last = step_ * bk.parts;
  std::atomic<uint64_t>& claimed = claimed_[b].value;
  bool any = false;
  uint64_t c = claimed.load(std::memory_order_relaxed);
  while (c < last) {
    if (!claimed.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
    IMINE_CHECK(c >= first) << "shared gradient reduction out of step (bucket " << b << ")";
    const size_t lo = bk.begin + static_cast<size_t>(c - first) * kPartFloats;
    sum_range(lo, std::min(bk.end, lo + kPartFloats));
    // The latest part's end, published by the release below.
    std::atomic<uint64_t>& summed = summed_ns_[b].value;
    const uint64_t t = now_ns();
    uint64_t seen = summed.load(std::memory_order_relaxed);
    while (seen < t && !summed.compare_exchange_weak(seen, t, std::memory_order_relaxed)) {
    }
    done_[b].value.fetch_add(1, std::memory_order_release);
    ++parts_reduced_;
    any = true;
    c = claimed.load(std::memory_order_relaxed);
  }
  return any;
}

void SharedMemoryReducer::ready_from(size_t offset) {
  if (!overlap_) return;
  // Only publish: the rank that finds a bucket ready here is the one behind (the others
  // published it earlier), and summing now would put it further behind. The ranks ahead sum
  // it in finish() while this one is still in backward.
  while (next_ < buckets_.size() && buckets_[next_].begin >= offset) publish(next_++);
}

void SharedMemoryReducer::finish() {
  while (next_ < buckets_.size()) publish(next_++);
  int spins = 0;
  std::vector<bool> done(buckets_.size(), false);
  for (;;) {
    bool all_done = true, worked = false;
    for (size_t b = 0; b < buckets_.size(); ++b) {
      if (done[b]) continue;
      if (done_[b].value.load(std::memory_order_acquire) >= step_ * buckets_[b].parts) {
        done[b] = true;
        uint64_t ready_ns = 0;
        for (int q = 0; q < size_; ++q)
          ready_ns = std::max(ready_ns, published_ns(q, b).value.load(std::memory_order_relaxed));
        timings_[b] = {ready_ns * 1e-9, summed_ns_[b].value.load(std::memory_order_relaxed) * 1e-9};
        continue;
      }
      all_done = false;
      if (all_ready(b) && reduce_parts(b)) worked = true;
    }
    if (all_done) return;
    if (!worked) back_off(&spins);
  }
}

}  // namespace imine

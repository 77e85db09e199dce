#include "imine/dist/gradient_reduction.h"

#include <algorithm>

#include "imine/dist/communicator.h"
#include "imine/dist/gradient_reducer.h"
#include "imine/dist/shared_memory_reducer.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

std::vector<std::pair<size_t, size_t>> gradient_buckets(size_t n, std::vector<size_t> boundaries,
                                                        size_t bucket_bytes) {
  IMINE_CHECK(bucket_bytes >= sizeof(float)) << "gradient bucket size must be positive";
  boundaries.push_back(0);
  boundaries.push_back(n);
  std::sort(boundaries.begin(), boundaries.end());
  boundaries.erase(std::unique(boundaries.begin(), boundaries.end()), boundaries.end());
  IMINE_CHECK(boundaries.back() == n) << "gradient layer boundary beyond the buffer";
  // Walk layer boundaries from the end; close a bucket when adding the next layer would pass
  // the byte budget. MPI counts are ints: a bucket never exceeds INT_MAX floats either.
  const size_t max_floats = std::min<size_t>(bucket_bytes / sizeof(float), (size_t{1} << 31) - 1);
  std::vector<std::pair<size_t, size_t>> buckets;
  size_t end = n;
  for (size_t i = boundaries.size() - 1; i-- > 0;) {
    const size_t layer_begin = boundaries[i];
    const bool last = i == 0;
    const size_t next_begin = last ? 0 : boundaries[i - 1];
    // Emit [layer_begin, end) if the next layer would not fit, or at the start of the buffer.
    if (last || end - next_begin > max_floats) {
      if (end > layer_begin) buckets.emplace_back(layer_begin, end);
      end = layer_begin;
    }
  }
  // A single layer above the budget is split so no message exceeds the int count limit.
  std::vector<std::pair<size_t, size_t>> split;
  for (const auto& [begin, bucket_end] : buckets) {
    for (size_t e = bucket_end; e > begin;) {
      const size_t s = e - begin > max_floats ? e - max_floats : begin;
      split.emplace_back(s, e);
      e = s;
    }
  }
  return split;
}

std::unique_ptr<GradientReduction> make_gradient_reduction(const Communicator& comm, float* grads,
                                                           size_t n, std::vector<size_t> boundaries,
                                                           size_t bucket_bytes,
                                                           const std::string& kind) {
  IMINE_CHECK(kind == "auto" || kind == "mpi" || kind == "shm")
      << "--reducer must be auto, mpi or shm, got '" << kind << "'";
  if (comm.size() == 1) return nullptr;
  const bool overlap = bucket_bytes > 0;
  // Without overlap the buffer is still reduced in parts: Open MPI pays first-touch on fresh
  // internal buffers for very large messages.
  const size_t bytes = overlap ? bucket_bytes : Communicator::kMaxChunkBytes;
  bool shm = false;
  if (kind != "mpi") {
    const bool one_host = ranks_share_memory(comm);
    IMINE_CHECK(one_host || kind == "auto")
        << "--reducer shm needs every rank on one host; use auto or mpi";
    std::string why;
    // Every rank takes the same branches: both answers are agreed over comm.
    const bool fits = one_host && shared_memory_fits(comm, n, &why);
    IMINE_CHECK(fits || kind == "auto") << "--reducer shm: " << why;
    if (one_host && !fits && comm.is_root())
      IMINE_LOG() << "shared-memory gradient reduction unavailable (" << why
                  << "); summing gradients with MPI";
    shm = fits;
  }
  if (shm) {
    return std::make_unique<SharedMemoryReducer>(
        comm, n, gradient_buckets(n, std::move(boundaries), bytes), overlap);
  }
  return std::make_unique<GradientReducer>(comm, grads, n, std::move(boundaries), bytes, overlap);
}

}  // namespace imine

// The MPI layer: one duplicated communicator per job, typed collectives, and the abort path.
// Only train/, label/ and cli/ use it; nn/, eval/ and features/ never see MPI.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace imine {

// MPI_Init_thread / MPI_Finalize for the life of main(). Asks for MPI_THREAD_MULTIPLE: the
// watchdog thread (dist/watchdog.h) calls MPI on its own communicator; everything else runs
// on the main thread.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

// Ends every rank of the job now: prints "imine: rank R: message" and calls MPI_Abort, which
// makes mpirun (or srun) tear down the other ranks within a second or two.
[[noreturn]] void abort_job(const std::string& message, int exit_code = 1);

class Communicator {
 public:
  // A private duplicate of MPI_COMM_WORLD, so imine's messages never mix with a host program's.
  static Communicator world();
  Communicator(Communicator&& o) noexcept;
  Communicator& operator=(Communicator&&) = delete;
  Communicator(const Communicator&) = delete;
  ~Communicator();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm comm() const { return comm_; }

  // In-place sums. Large float buffers are reduced in chunks of at most kMaxChunkBytes: Open MPI
  // pays first-touch on fresh internal buffers for very large messages.
  void allreduce_sum(float* data, size_t n) const;
  void allreduce_sum(double* data, size_t n) const;
  void allreduce_sum(int64_t* data, size_t n) const;
  int64_t allreduce_max(int64_t v) const;
  int64_t allreduce_min(int64_t v) const;
  uint64_t allreduce_max(uint64_t v) const;
  uint64_t allreduce_min(uint64_t v) const;
  // True on every rank iff every rank passed the same value.
  bool all_equal(uint64_t v) const;

  void broadcast(void* data, size_t bytes, int root = 0) const;
  void broadcast(std::string* s, int root = 0) const;
  template <typename T>
  void broadcast(std::vector<T>* v, int root = 0) const {
    uint64_t n = v->size();
    broadcast(&n, sizeof(n), root);
    v->resize(n);
    broadcast(v->data(), n * sizeof(T), root);
  }

  // Concatenates every rank's bytes on root in rank order; other ranks get an empty vector.
  std::vector<char> gather_bytes(const void* data, size_t bytes, int root = 0) const;
  template <typename T>
  std::vector<T> gather(const std::vector<T>& local, int root = 0) const {
    std::vector<char> raw = gather_bytes(local.data(), local.size() * sizeof(T), root);
    std::vector<T> out(raw.size() / sizeof(T));
    if (!raw.empty()) std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }
  // Every rank gets every rank's value.
  std::vector<int64_t> allgather(int64_t v) const;

  // Point-to-point byte messages with a size prefix (used for ordered, bounded label batches).
  void send_bytes(const void* data, size_t bytes, int dest, int tag) const;
  std::vector<char> recv_bytes(int source, int tag) const;

  void barrier() const;

  static constexpr size_t kMaxChunkBytes = size_t{16} << 20;

 private:
  explicit Communicator(MPI_Comm comm);
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace imine

#include "imine/dist/communicator.h"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  IMINE_FAIL() << "MPI " << what << " failed: " << std::string(msg, len);
}

template <typename T>
void allreduce_chunked(MPI_Comm comm, T* data, size_t n, MPI_Datatype type) {
  const size_t chunk = Communicator::kMaxChunkBytes / sizeof(T);
  for (size_t off = 0; off < n; off += chunk) {
    int count = static_cast<int>(std::min(chunk, n - off));
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, data + off, count, type, MPI_SUM, comm), "allreduce");
  }
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  // The watchdog thread (dist/watchdog.h) exchanges heartbeats on its own communicator while
  // the main thread may sit in a collective. Without MULTIPLE the watchdog watches only its
  // own rank.
  MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
  // Errors come back as codes that imine turns into Error, instead of MPI aborting silently.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  set_log_rank(rank);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void abort_job(const std::string& message, int exit_code) {
  int rank = 0, initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::string line = "imine: rank " + std::to_string(rank) + ": " + message + "\n";
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  // MPI_Abort should end every rank within a second or two; should it ever block (another
  // thread inside MPI, a wedged runtime), SIGALRM's default action ends this process anyway and
  // mpirun/srun then tear down the rest of the job.
  ::alarm(10);
  if (initialized) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

Communicator Communicator::world() {
  MPI_Comm dup = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &dup), "comm_dup");
  MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
  return Communicator(dup);
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

Communicator::Communicator(Communicator&& o) noexcept
    : comm_(o.comm_), rank_(o.rank_), size_(o.size_) {
  o.comm_ = MPI_COMM_NULL;
}

Communicator::~Communicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

void Communicator::allreduce_sum(float* data, size_t n) const {
  allreduce_chunked(comm_, data, n, MPI_FLOAT);
}
void Communicator::allreduce_sum(double* data, size_t n) const {
  allreduce_chunked(comm_, data, n, MPI_DOUBLE);
}
void Communicator::allreduce_sum(int64_t* data, size_t n) const {
  allreduce_chunked(comm_, data, n, MPI_INT64_T);
}

int64_t Communicator::allreduce_max(int64_t v) const {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT64_T, MPI_MAX, comm_), "allreduce");
  return v;
}
int64_t Communicator::allreduce_min(int64_t v) const {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT64_T, MPI_MIN, comm_), "allreduce");
  return v;
}
uint64_t Communicator::allreduce_max(uint64_t v) const {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_UINT64_T, MPI_MAX, comm_), "allreduce");
  return v;
}
uint64_t Communicator::allreduce_min(uint64_t v) const {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_UINT64_T, MPI_MIN, comm_), "allreduce");
  return v;
}
bool Communicator::all_equal(uint64_t v) const { return allreduce_min(v) == allreduce_max(v); }

void Communicator::broadcast(void* data, size_t bytes, int root) const {
  auto* p = static_cast<char*>(data);
  for (size_t off = 0; off < bytes; off += kMaxChunkBytes) {
    int count = static_cast<int>(std::min(kMaxChunkBytes, bytes - off));
    check_mpi(MPI_Bcast(p + off, count, MPI_BYTE, root, comm_), "broadcast");
  }
}

void Communicator::broadcast(std::string* s, int root) const {
  uint64_t n = s->size();
  broadcast(&n, sizeof(n), root);
  s->resize(n);
  broadcast(s->data(), n, root);
}

std::vector<char> Communicator::gather_bytes(const void* data, size_t bytes, int root) const {
  IMINE_CHECK(bytes < static_cast<size_t>(INT_MAX)) << "gather of " << bytes << " bytes too large";
  int mine = static_cast<int>(bytes);
  std::vector<int> counts(rank_ == root ? size_ : 0), displs;
  check_mpi(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm_), "gather");
  std::vector<char> out;
  if (rank_ == root) {
    displs.resize(size_);
    int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      displs[r] = static_cast<int>(total);
      total += counts[r];
    }
    IMINE_CHECK(total < INT_MAX) << "gather of " << total << " bytes too large";
    out.resize(static_cast<size_t>(total));
  }
  check_mpi(MPI_Gatherv(data, mine, MPI_BYTE, out.data(), counts.data(), displs.data(), MPI_BYTE,
                        root, comm_),
            "gatherv");
  return out;
}

std::vector<int64_t> Communicator::allgather(int64_t v) const {
  std::vector<int64_t> out(size_);
  check_mpi(MPI_Allgather(&v, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, comm_), "allgather");
  return out;
}

void Communicator::send_bytes(const void* data, size_t bytes, int dest, int tag) const {
  uint64_t n = bytes;
  check_mpi(MPI_Send(&n, 1, MPI_UINT64_T, dest, tag, comm_), "send");
  const auto* p = static_cast<const char*>(data);
  for (size_t off = 0; off < bytes; off += kMaxChunkBytes) {
    int count = static_cast<int>(std::min(kMaxChunkBytes, bytes - off));
    check_mpi(MPI_Send(p + off, count, MPI_BYTE, dest, tag, comm_), "send");
  }
}

std::vector<char> Communicator::recv_bytes(int source, int tag) const {
  uint64_t n = 0;
  check_mpi(MPI_Recv(&n, 1, MPI_UINT64_T, source, tag, comm_, MPI_STATUS_IGNORE), "recv");
  IMINE_CHECK(n < (uint64_t{1} << 40)) << "message of " << n << " bytes from rank " << source;
  std::vector<char> out(n);
  for (size_t off = 0; off < n; off += kMaxChunkBytes) {
    int count = static_cast<int>(std::min<size_t>(kMaxChunkBytes, n - off));
    check_mpi(MPI_Recv(out.data() + off, count, MPI_BYTE, source, tag, comm_, MPI_STATUS_IGNORE),
              "recv");
  }
  return out;
}

void Communicator::barrier() const { check_mpi(MPI_Barrier(comm_), "barrier"); }

}  // namespace imine

#include "imine/prepare/exchange.h"

#include <mpi.h>

#include <cstring>

#include "imine/util/error.h"

namespace imine {

namespace {

// MPI counts are int: a datatype of one record keeps them in records, not bytes.
class RecordType {
 public:
  RecordType() {
    MPI_Type_contiguous(sizeof(EventRecord), MPI_BYTE, &type_);
    MPI_Type_commit(&type_);
  }
  ~RecordType() { MPI_Type_free(&type_); }
  RecordType(const RecordType&) = delete;
  RecordType& operator=(const RecordType&) = delete;
  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_;
};

std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

}  // namespace

std::vector<std::string> allgather_strings(const Communicator& comm, const StringTable& local) {
  // Length-prefixed strings; MPI counts are int, so one rank's total must stay below 2 GiB.
  std::vector<char> mine;
  for (uint32_t i = 0; i < local.size(); ++i) {
    std::string_view s = local.at(i);
    uint32_t n = static_cast<uint32_t>(s.size());
    mine.insert(mine.end(), reinterpret_cast<char*>(&n), reinterpret_cast<char*>(&n) + 4);
    mine.insert(mine.end(), s.begin(), s.end());
  }
  IMINE_CHECK(mine.size() < (size_t{1} << 31))
      << "prepare: distinct item/category keys of one rank exceed 2 GiB";
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<size_t>(comm.size()));
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.comm());
  std::vector<int> displ = displacements(counts);
  size_t total = static_cast<size_t>(displ.back()) + static_cast<size_t>(counts.back());
  std::vector<char> all(total);
  MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), displ.data(), MPI_CHAR,
                 comm.comm());
  std::vector<std::string> out;
  for (size_t at = 0; at < all.size();) {
    uint32_t len;
    std::memcpy(&len, all.data() + at, 4);
    out.emplace_back(all.data() + at + 4, len);
    at += 4 + len;
  }
  return out;
}

std::vector<uint64_t> allgather_u64(const Communicator& comm, const std::vector<uint64_t>& local) {
  IMINE_CHECK(local.size() < (size_t{1} << 31)) << "prepare: too many values to gather";
  int n = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<size_t>(comm.size()));
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.comm());
  std::vector<int> displ = displacements(counts);
  std::vector<uint64_t> all(static_cast<size_t>(displ.back()) + static_cast<size_t>(counts.back()));
  MPI_Allgatherv(local.data(), n, MPI_UINT64_T, all.data(), counts.data(), displ.data(),
                 MPI_UINT64_T, comm.comm());
  return all;
}

void exchange_events(const Communicator& comm, const SpillBuffer& local,
                     const std::vector<uint32_t>& item_map, int64_t shards, size_t block,
                     uint64_t* unknown,
                     const std::function<void(const EventRecord*, size_t)>& sink) {
  const int np = comm.size();
  const auto unp = static_cast<size_t>(np);
  // Rounds: every rank must join each Alltoallv, so all run max(blocks) rounds.
  const uint64_t in_memory = local.size() - local.spilled();
  const auto my_rounds =
      static_cast<int64_t>((local.spilled() + block - 1) / block + (in_memory + block - 1) / block);
  const int64_t rounds = comm.allreduce_max(my_rounds);
  RecordType type;
  std::vector<std::vector<EventRecord>> out(unp);
  std::vector<EventRecord> send, recv;
  std::vector<int> send_counts(unp), recv_counts(unp);
  auto one_round = [&](const EventRecord* r, size_t n) {
    for (auto& o : out) o.clear();
    for (size_t i = 0; i < n; ++i) {
      EventRecord e = r[i];
      const uint32_t item = item_map[e.item()];
      if (item == kNoItem) {
        ++*unknown;
        continue;
      }
      e.item_type = EventRecord::pack(item, e.type());
      out[static_cast<size_t>(shard_of_user(e.user, shards) % np)].push_back(e);
    }
    send.clear();
    for (size_t d = 0; d < unp; ++d) {
      send_counts[d] = static_cast<int>(out[d].size());
      send.insert(send.end(), out[d].begin(), out[d].end());
    }
    MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm.comm());
    std::vector<int> sd = displacements(send_counts), rd = displacements(recv_counts);
    int64_t total = 0;
    for (int c : recv_counts) total += c;
    IMINE_CHECK(total < (int64_t{1} << 31)) << "prepare: exchange round too large";
    recv.resize(static_cast<size_t>(total));
    MPI_Alltoallv(send.data(), send_counts.data(), sd.data(), type.get(), recv.data(),
                  recv_counts.data(), rd.data(), type.get(), comm.comm());
    sink(recv.data(), recv.size());
  };
  int64_t done = 0;
  local.for_each_block(block, [&](const EventRecord* r, size_t n) {
    one_round(r, n);
    ++done;
  });
  for (; done < rounds; ++done) one_round(nullptr, 0);
}

}  // namespace imine

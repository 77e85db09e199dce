#include "imine/prepare/exchange.h"

#include <mpi.h>

#include <algorithm>
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

std::vector<uint64_t> count_incoming(const Communicator& comm, const SpillBuffer& local,
                                     const std::vector<uint32_t>& item_map, int64_t shards) {
  const int np = comm.size();
  const auto unp = static_cast<uint64_t>(np);
  const ShardMap map(shards, np);
  const uint64_t most_local = (static_cast<uint64_t>(shards) + unp - 1) / unp;
  IMINE_CHECK(most_local < (uint64_t{1} << 31))
      << "prepare: too many shards per rank (" << most_local << ")";
  const auto per_rank = static_cast<size_t>(most_local);
  std::vector<uint64_t> counts(per_rank * unp, 0);
  local.for_each_block(size_t{1} << 20, [&](const EventRecord* r, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (item_map[r[i].item()] == kNoItem) continue;
      ++counts[static_cast<size_t>(map.rank(r[i].user)) * per_rank +
               static_cast<size_t>(map.local(r[i].user))];
    }
  });
  std::vector<uint64_t> mine(per_rank);
  MPI_Reduce_scatter_block(counts.data(), mine.data(), static_cast<int>(per_rank), MPI_UINT64_T,
                           MPI_SUM, comm.comm());
  const auto rank = static_cast<uint64_t>(comm.rank());
  const uint64_t num_local = rank < static_cast<uint64_t>(shards)
                                 ? (static_cast<uint64_t>(shards) - rank + unp - 1) / unp
                                 : 0;
  mine.resize(static_cast<size_t>(num_local));
  return mine;
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
  // Each round counts the records per destination, then places them straight into the send
  // buffer (one copy, no per-destination vectors); buffers keep their capacity across rounds.
  const ShardMap map(shards, np);
  std::vector<uint32_t> dest;
  BigVector<EventRecord> send, recv;
  std::vector<int> send_counts(unp), recv_counts(unp), at(unp);
  auto one_round = [&](const EventRecord* r, size_t n) {
    std::fill(send_counts.begin(), send_counts.end(), 0);
    dest.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (item_map[r[i].item()] == kNoItem) {
        ++*unknown;
        dest[i] = UINT32_MAX;
        continue;
      }
      dest[i] = static_cast<uint32_t>(map.rank(r[i].user));
      ++send_counts[dest[i]];
    }
    std::vector<int> sd = displacements(send_counts);
    send.resize(static_cast<size_t>(sd.back()) + static_cast<size_t>(send_counts.back()));
    std::copy(sd.begin(), sd.end(), at.begin());
    for (size_t i = 0; i < n; ++i) {
      if (dest[i] == UINT32_MAX) continue;
      EventRecord& e = send[static_cast<size_t>(at[dest[i]]++)];
      e = r[i];
      e.item_type = EventRecord::pack(item_map[r[i].item()], r[i].type());
    }
    if (np == 1) {  // nothing to exchange: skip MPI's copy into recv
      sink(send.data(), send.size());
      return;
    }
    MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm.comm());
    std::vector<int> rd = displacements(recv_counts);
    int64_t total = 0;
    for (int c : recv_counts) total += c;
    IMINE_CHECK(total < (int64_t{1} << 31)) << "prepare: exchange round too large";
    recv.resize(static_cast<size_t>(total));
    MPI_Alltoallv(send.data(), send_counts.data(), sd.data(), type.get(), recv.data(),
                  recv_counts.data(), rd.data(), type.get(), comm.comm());
    sink(recv.data(), recv.size());
  };
  int64_t done = 0;
  // Each block is read once: its pages go back to the kernel and the received records reuse
  // them (fresh memory is slow to fault in).
  local.for_each_block(
      block,
      [&](const EventRecord* r, size_t n) {
        one_round(r, n);
        ++done;
      },
      /*release_memory=*/true);
  for (; done < rounds; ++done) one_round(nullptr, 0);
}

}  // namespace imine

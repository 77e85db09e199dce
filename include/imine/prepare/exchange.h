// The collective steps of `imine prepare`: merging per-rank dictionaries and moving every
// event to the rank that writes its user's shard (MPI_Alltoallv in bounded rounds).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imine/dist/communicator.h"
#include "imine/prepare/event_store.h"
#include "imine/prepare/string_table.h"

namespace imine {

// Every rank's strings, concatenated in rank order, on every rank.
std::vector<std::string> allgather_strings(const Communicator& comm, const StringTable& local);
std::vector<uint64_t> allgather_u64(const Communicator& comm, const std::vector<uint64_t>& local);

// Sends each record of `local` (items remapped through item_map; kNoItem drops the record
// and counts it in *unknown) to rank shard_of_user % np, at most `block` records per rank and
// round, and hands what this rank receives to `sink`. Collective: every rank runs the same
// number of rounds. The in-memory records of `local` are released as they are sent: clear()
// it afterwards.
constexpr uint32_t kNoItem = UINT32_MAX;
// Before exchange_events (collective): how many records, over all ranks, this rank will
// receive for each of its shards (num_local entries), so that ShardStore can place them
// straight into one exactly sized array.
std::vector<uint64_t> count_incoming(const Communicator& comm, const SpillBuffer& local,
                                     const std::vector<uint32_t>& item_map, int64_t shards);
void exchange_events(const Communicator& comm, const SpillBuffer& local,
                     const std::vector<uint32_t>& item_map, int64_t shards, size_t block,
                     uint64_t* unknown,
                     const std::function<void(const EventRecord*, size_t)>& sink);

}  // namespace imine

// Bounded-memory passes over one shard's events and the gathering of finished shards.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "imine/data/shard_writer.h"
#include "imine/dist/communicator.h"
#include "imine/prepare/event_store.h"

namespace imine {

// Calls fn(events) once per contiguous range of user ids, ascending, each range holding all
// events of its users and about `budget_bytes` of records: one range when the buffer fits,
// else ceil(bytes / budget) ranges, each a scan of the (spilled) buffer.
void for_each_user_range(const SpillBuffer& buffer, size_t budget_bytes,
                         const std::function<void(BigVector<EventRecord>&)>& fn);

// Every rank's finished shards, sorted by file name, on rank 0 (empty elsewhere).
std::vector<ShardInfo> gather_shard_infos(const Communicator& comm,
                                          const std::vector<ShardInfo>& mine);

}  // namespace imine

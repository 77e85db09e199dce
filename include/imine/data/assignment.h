// Shard-to-rank assignment: the users of all shards, taken in manifest order, are cut into
// num_ranks contiguous pieces of about equal event counts. Every rank computes the same
// answer from the manifest and the shards' offsets, without communicating.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/data/manifest.h"

namespace imine {

struct ShardRange {
  uint32_t shard = 0;  // index into Manifest::shards
  uint64_t user_begin = 0;
  uint64_t user_end = 0;  // exclusive; never equal to user_begin
  bool operator==(const ShardRange& o) const {
    return shard == o.shard && user_begin == o.user_begin && user_end == o.user_end;
  }
};
using RankRanges = std::vector<ShardRange>;

// Cumulative events of one shard at a few users: users[k] increases strictly from 0 to the
// shard's num_users, and events[k] is /events/offsets[users[k]] (so events[0] == 0). The
// stretches between consecutive samples are the granules a cut cannot split.
struct ShardSamples {
  std::vector<uint64_t> users;
  std::vector<uint64_t> events;
};

// Pure core of assign_ranges. Each cut goes to the granule boundary nearest its ideal event
// position (ties to the earlier one), so every rank's events are within one granule of
// total / num_ranks. Ranks may get nothing (fewer granules than ranks, or no events).
std::vector<RankRanges> assign_ranges_from_cumulative(const std::vector<ShardSamples>& shards,
                                                      int num_ranks);

// Users between samples: fine enough for about 64 granules per rank, at most 1024.
uint64_t assignment_stride(uint64_t total_users, int num_ranks);

// Reads /events/offsets of a shard at users 0, stride, 2*stride, ... and num_users, checking
// them against the manifest's counts; errors name the file and dataset.
ShardSamples sample_shard(const std::string& path, const ShardInfo& info, uint64_t stride);

// One RankRanges per rank. stride 0 picks assignment_stride().
std::vector<RankRanges> assign_ranges(const Manifest& manifest, const std::string& dir,
                                      int num_ranks, uint64_t stride = 0);

}  // namespace imine

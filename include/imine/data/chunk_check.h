// Content checks on a UserChunk, shared by the writer (refuse to write bad data) and the
// reader (refuse to hand bad data on). Messages name the file, the dataset and the first bad
// index in the file's numbering, e.g. "part-00001.h5: /events/time: not sorted ... index 17".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/data/user_chunk.h"

namespace imine {

struct ChunkCheck {
  std::string file;
  // Position of the chunk in its shard, so messages give file indices, not chunk indices.
  uint64_t user_base = 0;
  uint64_t event_base = 0;
  uint64_t truth_base = 0;
  // Item ids must be below num_items and truth categories below num_categories; the default
  // (no bound) is for a writer that was given no catalog.
  uint64_t num_items = UINT64_MAX;
  uint64_t num_categories = UINT64_MAX;
  // Attribute column j must lie in [0, cardinality[j]); empty skips the check.
  std::vector<int64_t> cardinality;
};

// Checks the chunk's CSR structure (chunk-local offsets from 0, array sizes) and contents:
// item ids, event types < kNumEventTypes, times sorted within each user, finite weights,
// attributes within their cardinality, truth CSR consistent with finite weights and 0/1 flags.
void check_chunk(const UserChunk& chunk, const ChunkCheck& ctx);

}  // namespace imine

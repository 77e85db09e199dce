// Streams UserChunks into one imine.users shard (docs/data-format.md). The file is written
// under a temporary name and only appears under its final name when finish() succeeds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "imine/data/shard_checksum.h"
#include "imine/data/user_chunk.h"
#include "imine/h5/h5.h"
#include "imine/util/atomic_file.h"

namespace imine {

// What the manifest records about a finished shard. time_min/time_max are 0 for a shard
// without events.
struct ShardInfo {
  std::string file;  // file name relative to the dataset folder
  uint64_t num_users = 0;
  uint64_t num_events = 0;
  uint64_t checksum = 0;
  int64_t time_min = 0;
  int64_t time_max = 0;
};

struct ShardWriterOptions {
  std::string source;  // e.g. "imine synth", "movielens-100k"
  int64_t shard_index = 0;
  int64_t num_shards = 1;
  // Used when the chunks carry attributes: one name per column (empty: attr0, attr1, ...)
  // and optionally one cardinality per column (empty: not declared, not range-checked).
  std::vector<std::string> attribute_names;
  std::vector<int64_t> attribute_cardinality;
  // Bounds for ids in the chunks (default: unchecked); the reader checks them again.
  uint64_t num_items = UINT64_MAX;
  uint64_t num_categories = UINT64_MAX;
  h5::WriteOptions write;
};

class ShardWriter {
 public:
  ShardWriter(std::string final_path, ShardWriterOptions options);
  // Without finish(), the temporary file is removed and nothing appears under final_path.
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Appends the chunk's users after those already written. The chunk's offsets are local
  // (from 0); whether chunks carry attributes (and how many columns) and truth is fixed by
  // the first chunk with users, and later chunks must agree.
  void append(const UserChunk& chunk);
  // Writes the root attributes, closes, fsyncs and renames into place.
  ShardInfo finish();

  uint64_t num_users() const { return num_users_; }
  uint64_t num_events() const { return num_events_; }

 private:
  struct Datasets;
  void start_optional(const UserChunk& chunk);

  std::string final_path_;
  ShardWriterOptions options_;
  // Declared before file_ so that the file is closed before the temporary name is removed.
  AtomicOutput output_;
  h5::File file_;
  std::unique_ptr<Datasets> ds_;
  ShardChecksum checksum_;
  bool layout_fixed_ = false;
  int num_attributes_ = 0;
  bool has_truth_ = false;
  bool finished_ = false;
  uint64_t num_users_ = 0;
  uint64_t num_events_ = 0;
  uint64_t num_truth_ = 0;
  int64_t time_min_ = INT64_MAX;
  int64_t time_max_ = INT64_MIN;
  std::vector<uint64_t> scratch_;
};

}  // namespace imine

// Reads one imine.users shard (docs/data-format.md) as a stream of bounded UserChunks over a
// range of its users. The header is validated and every size checked against ReaderLimits
// before anything is allocated; every chunk is validated before it is returned. A shard is
// never read whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imine/data/catalog_io.h"
#include "imine/data/user_chunk.h"
#include "imine/h5/h5.h"

namespace imine {

struct ReaderLimits {
  uint64_t max_users_per_shard = uint64_t{1} << 28;
  uint64_t max_events_per_shard = uint64_t{1} << 34;
  uint64_t max_events_per_user = uint64_t{1} << 24;
  uint64_t max_truth_per_user = 4096;
  uint64_t max_attributes = 256;
  // Chunk budget: at most max_chunk_users users and, when more than one user fits, about
  // max_chunk_events events. A single larger user is still returned whole.
  uint64_t max_chunk_users = 4096;
  uint64_t max_chunk_events = uint64_t{1} << 20;
};

class ShardReader {
 public:
  static constexpr uint64_t kToEnd = UINT64_MAX;

  // Reads users [user_begin, user_end) of the shard (kToEnd: up to the last user). Item ids
  // must be below catalog.num_items and truth categories below catalog.num_categories.
  ShardReader(std::string path, const CatalogSizes& catalog, const ReaderLimits& limits = {},
              uint64_t user_begin = 0, uint64_t user_end = kToEnd);
  // The same on an already-open file (e.g. h5::File::open_image, for the fuzzer); errors name
  // file.path().
  ShardReader(h5::File file, const CatalogSizes& catalog, const ReaderLimits& limits = {},
              uint64_t user_begin = 0, uint64_t user_end = kToEnd);

  // Fills *chunk with the next users of the range (chunk-local offsets, first_user set);
  // returns false, leaving *chunk empty, once the range is exhausted.
  bool next(UserChunk* chunk);
  // Starts the range again (next epoch).
  void rewind() { cursor_ = user_begin_; }

  const std::string& path() const { return path_; }
  uint64_t num_users() const { return num_users_; }  // in the whole shard
  uint64_t num_events() const { return num_events_; }
  uint64_t user_begin() const { return user_begin_; }
  uint64_t user_end() const { return user_end_; }
  int64_t shard_index() const { return shard_index_; }
  int64_t num_shards() const { return num_shards_; }
  const std::string& source() const { return source_; }
  int num_attributes() const { return num_attributes_; }
  const std::vector<std::string>& attribute_names() const { return attribute_names_; }
  // Empty when the shard declares no cardinalities.
  const std::vector<int64_t>& attribute_cardinality() const { return attribute_cardinality_; }
  bool has_truth() const { return truth_offsets_.has_value(); }

 private:
  void open_attributes();
  void open_truth();
  // Reads offsets [first, first+count] of `d` into *out and checks them: monotonic, at most
  // `total`, at most `per_user_limit` per user.
  void read_offsets(const h5::Dataset& d, uint64_t first, uint64_t count, uint64_t total,
                    uint64_t per_user_limit, const char* per_user_what,
                    std::vector<uint64_t>* out) const;

  std::string path_;
  CatalogSizes catalog_;
  ReaderLimits limits_;
  h5::File file_;
  uint64_t num_users_ = 0;
  uint64_t num_events_ = 0;
  uint64_t num_truth_ = 0;
  int64_t shard_index_ = 0;
  int64_t num_shards_ = 0;
  std::string source_;
  uint64_t user_begin_ = 0;
  uint64_t user_end_ = 0;
  uint64_t cursor_ = 0;

  std::optional<h5::Dataset> ids_, offsets_, items_, types_, times_, weights_;
  std::optional<h5::Dataset> attributes_;
  int num_attributes_ = 0;
  std::vector<std::string> attribute_names_;
  std::vector<int64_t> attribute_cardinality_;
  std::optional<h5::Dataset> truth_offsets_, truth_category_, truth_weight_, truth_is_new_;

  std::vector<uint64_t> offsets_buf_;
  std::vector<uint64_t> truth_buf_;
};

}  // namespace imine

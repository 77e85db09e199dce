#include "imine/data/dataset_source.h"

#include <algorithm>

#include "imine/h5/h5.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// Which event types occur in a shard: a pass over /events/type only (one byte per event,
// compressed), in bounded blocks.
void scan_event_types(const std::string& path, bool* seen) {
  h5::File f = h5::File::open_read(path);
  h5::Dataset types(f, "/events/type");
  types.require_rank(1);
  const uint64_t n = types.dims()[0];
  std::vector<uint8_t> block;
  constexpr uint64_t kBlock = uint64_t{1} << 22;
  for (uint64_t at = 0; at < n; at += kBlock) {
    const uint64_t m = std::min(kBlock, n - at);
    block.resize(m);
    types.read_rows(at, m, block.data());
    for (uint8_t t : block)
      if (t < kNumEventTypes) seen[t] = true;
  }
}

}  // namespace

DatasetSource::DatasetSource(const std::string& dir, int rank, int size) : dir_(dir) {
  IMINE_CHECK(rank >= 0 && rank < size) << "bad rank " << rank << " of " << size;
  manifest_ = read_manifest(dir);
  catalog_ = read_catalog(dir + "/catalog.h5");
  IMINE_CHECK(catalog_.num_items() == manifest_.num_items &&
              catalog_.num_categories() == manifest_.num_categories)
      << dir << "/catalog.h5: " << catalog_.num_items() << " items and "
      << catalog_.num_categories() << " categories, but manifest.h5 says " << manifest_.num_items
      << " and " << manifest_.num_categories;
  ranges_ = assign_ranges(manifest_, dir, size)[static_cast<size_t>(rank)];

  bool seen[kNumEventTypes] = {};
  bool have_attributes = false;
  for (const ShardInfo& s : manifest_.shards) {
    const std::string path = dir + "/" + s.file;
    if (!have_attributes && s.num_users > 0) {
      ShardReader r(path, catalog_sizes(catalog_), limits_, 0, 0);
      attribute_names_ = r.attribute_names();
      for (int64_t c : r.attribute_cardinality()) attribute_cardinalities_.push_back(int(c));
      if (attribute_cardinalities_.size() != attribute_names_.size()) {
        // Attributes without declared value ranges cannot be one-hot encoded safely.
        attribute_names_.clear();
        attribute_cardinalities_.clear();
      }
      have_attributes = true;
    }
    if (s.num_events > 0) scan_event_types(path, seen);
  }
  for (int t = 0; t < kNumEventTypes; ++t)
    if (seen[t]) event_types_.push_back(t);
}

uint64_t DatasetSource::local_users() const {
  uint64_t n = 0;
  for (const ShardRange& r : ranges_) n += r.user_end - r.user_begin;
  return n;
}

void DatasetSource::for_each_chunk(const std::function<void(const UserChunk&)>& fn) const {
  UserChunk chunk;
  for (const ShardRange& r : ranges_) {
    ShardReader reader(dir_ + "/" + manifest_.shards[r.shard].file, catalog_sizes(catalog_),
                       limits_, r.user_begin, r.user_end);
    while (reader.next(&chunk)) fn(chunk);
  }
}

}  // namespace imine

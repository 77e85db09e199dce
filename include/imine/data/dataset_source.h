// One dataset folder as this rank sees it: manifest, catalog, the user ranges assigned to this
// rank (balanced by event count) and the facts the features need (attributes, event types,
// time span). Every rank opens it; the answers are the same on every rank.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "imine/data/assignment.h"
#include "imine/data/catalog.h"
#include "imine/data/catalog_io.h"
#include "imine/data/manifest.h"
#include "imine/data/shard_reader.h"
#include "imine/data/user_chunk.h"

namespace imine {

class DatasetSource {
 public:
  // rank/size: this process's place in the job (any number of ranks, even more than users).
  DatasetSource(const std::string& dir, int rank, int size);

  const std::string& dir() const { return dir_; }
  const Manifest& manifest() const { return manifest_; }
  const Catalog& catalog() const { return catalog_; }
  const std::vector<ShardRange>& ranges() const { return ranges_; }
  const std::vector<std::string>& attribute_names() const { return attribute_names_; }
  const std::vector<int>& attribute_cardinalities() const { return attribute_cardinalities_; }
  // Event types that occur anywhere in the dataset (ids 0..4), ascending.
  const std::vector<int>& event_types() const { return event_types_; }
  int64_t time_max() const { return manifest_.time_max; }
  uint64_t local_users() const;

  // Streams this rank's users in bounded chunks.
  void for_each_chunk(const std::function<void(const UserChunk&)>& fn) const;

 private:
  std::string dir_;
  Manifest manifest_;
  Catalog catalog_;
  std::vector<ShardRange> ranges_;
  std::vector<std::string> attribute_names_;
  std::vector<int> attribute_cardinalities_;
  std::vector<int> event_types_;
  ReaderLimits limits_;
};

}  // namespace imine

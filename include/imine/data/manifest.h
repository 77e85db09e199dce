// manifest.h5 (schema imine.manifest v1): the list of shards of a dataset folder with their
// counts and content checksums, and the totals (docs/data-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/data/catalog_io.h"
#include "imine/data/shard_checksum.h"
#include "imine/data/shard_writer.h"

namespace imine {

struct Manifest {
  std::vector<ShardInfo> shards;  // in shard-index order
  uint64_t num_users = 0;
  uint64_t num_events = 0;
  uint64_t num_items = 0;
  uint64_t num_categories = 0;
  int64_t time_min = 0;  // over all events; 0 when there are none
  int64_t time_max = 0;
  std::string source;
  std::string created;  // set by write_manifest when empty; kept out of comparisons
};

struct ManifestLimits {
  uint64_t max_shards = uint64_t{1} << 20;
  uint64_t max_file_name_bytes = 255;
};

// Totals from the shards; created is left empty (write_manifest stamps it).
Manifest build_manifest(std::vector<ShardInfo> shards, const CatalogSizes& catalog,
                        const std::string& source);
// Writes dir/manifest.h5 atomically; throws if the totals disagree with the shard list.
void write_manifest(const std::string& dir, const Manifest& manifest);
// Reads dir/manifest.h5, checks sizes against the limits, checks that the totals agree with
// the shards, that file names are plain names inside the folder and that every file exists.
Manifest read_manifest(const std::string& dir, const ManifestLimits& limits = {});

}  // namespace imine

// Content checksum of a shard: a Checksum64 per dataset, combined in a fixed order (ids,
// offsets, items, types, times, weights, attributes, truth). It covers the stored values, not
// the file bytes, so two runs writing the same users agree even though HDF5 files differ
// (creation time attributes, allocation order). Values are hashed in native byte order
// (little-endian on every platform imine targets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "imine/util/hash.h"

namespace imine {

class ShardChecksum {
 public:
  enum Part {
    kIds,
    kOffsets,
    kItems,
    kTypes,
    kTimes,
    kWeights,
    kAttributes,
    kTruthOffsets,
    kTruthCategory,
    kTruthWeight,
    kTruthIsNew,
    kNumParts
  };
  // A part enters the checksum once marked (its dataset exists), even when empty.
  void mark(Part p) { present_[p] = true; }
  void set_attribute_columns(uint64_t cols) { attribute_columns_ = cols; }
  template <typename T>
  void add(Part p, const T* values, size_t count) {
    present_[p] = true;
    parts_[p].update_array(values, count);
  }
  uint64_t value() const;

 private:
  Checksum64 parts_[kNumParts];
  bool present_[kNumParts] = {};
  uint64_t attribute_columns_ = 0;
};

// Recomputes the content checksum of a shard file, streaming each dataset in bounded blocks.
// Throws naming the file and dataset if the schema or a dataset type is wrong.
uint64_t shard_checksum(const std::string& path);

}  // namespace imine

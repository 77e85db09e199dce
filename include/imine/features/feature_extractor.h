// Turns one user's input window into a dense feature row, and its target window into labels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imine/data/catalog.h"
#include "imine/data/user_chunk.h"
#include "imine/features/split.h"

namespace imine {

struct FeatureConfig {
  double half_life_days = 14.0;
  // Unix seconds the recency feature is measured back from (e.g. the cutoff, or the end of
  // the observed period). Must be set by the caller: there is no meaningful default.
  int64_t t_ref = 0;
  // Event types (EventType ids 0..4) that get their own category histogram.
  std::vector<int> event_types;
  // One cardinality per user attribute column; values outside [0, card) encode as all-zero.
  std::vector<int> attribute_cardinalities;
  // Optional names of the attribute columns (for feature_names); empty means attr0, attr1...
  std::vector<std::string> attribute_names;
};

// Layout of a row, in order:
//   hist      [C]  category histogram, each event adds 1/k to each of its item's k
//                  categories, normalised to sum 1 (all zero for an empty window)
//   recency   [C]  as hist, each event weighted by 0.5^((t_ref - t) / half_life)
//   type/<T>  [C]  per configured event type, the type's histogram divided by #events
//   activity  [6]  log1p(events), log1p(distinct items), log1p(span days),
//                  log1p(days since the last input event, >= 0), log1p(distinct
//                  categories), mean event weight
//   attr/<a>  [card_a] one-hot per attribute column
// The extractor keeps a reference to the catalog and per-extractor scratch: use one
// extractor per thread.
class FeatureExtractor {
 public:
  static constexpr size_t kNumActivity = 6;

  FeatureExtractor(const Catalog& catalog, FeatureConfig config);

  size_t dim() const { return dim_; }
  size_t num_categories() const { return num_categories_; }
  const FeatureConfig& config() const { return config_; }
  size_t hist_offset() const { return 0; }
  size_t recency_offset() const { return num_categories_; }
  size_t type_offset(size_t type_index) const { return (2 + type_index) * num_categories_; }
  size_t activity_offset() const { return activity_offset_; }
  size_t attribute_offset() const { return attribute_offset_; }
  std::vector<std::string> feature_names() const;

  // Writes dim() floats for user u's events `input` into out. O(events + dim), no allocation.
  // Throws when an item id is outside the catalog or the chunk's arrays disagree in size.
  void extract(const UserChunk& chunk, size_t u, EventRange input, float* out);

  // Multi-hot [C]: 1 for every category of an item in the range. `targets` is used on the
  // target window (labels), `input_categories` on the input window (new-interest metrics).
  void targets(const UserChunk& chunk, size_t u, EventRange target, uint8_t* out) const;
  void input_categories(const UserChunk& chunk, size_t u, EventRange input, uint8_t* out) const;

 private:
  void check_range(const UserChunk& chunk, size_t u, EventRange range) const;
  void mark_categories(const UserChunk& chunk, size_t u, EventRange range, uint8_t* out) const;

  const Catalog& catalog_;
  FeatureConfig config_;
  size_t num_categories_ = 0;
  size_t dim_ = 0;
  size_t activity_offset_ = 0;
  size_t attribute_offset_ = 0;
  // Event type -> index into config_.event_types, or -1.
  int type_slot_[256];
  // Double accumulators for the (2 + #types) histograms, so long histories keep precision.
  std::vector<double> acc_;
  // Distinct items in O(1) per event: item_stamp_[item] == stamp_ means seen for this user.
  std::vector<uint32_t> item_stamp_;
  uint32_t stamp_ = 0;
};

}  // namespace imine

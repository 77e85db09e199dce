// This rank's users turned into model inputs: feature rows, multi-hot targets and what the
// evaluation needs (input-window categories, the raw history for the HIST baseline).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "imine/features/feature_extractor.h"
#include "imine/features/item_features.h"
#include "imine/features/normalizer.h"
#include "imine/features/split.h"

namespace imine {

struct ExampleSet {
  size_t dim = 0;
  size_t num_categories = 0;
  std::vector<uint64_t> ids;
  std::vector<float> features;         // [n x dim], raw until normalised
  std::vector<uint8_t> targets;        // [n x C]
  std::vector<uint8_t> input_present;  // [n x C], only kept for evaluation sets
  std::vector<float> hist;             // [n x C] raw category histogram, evaluation sets only
  SparseRows items;                    // item buckets per user (raw counts until weighted)

  size_t size() const { return ids.size(); }
  const float* row(size_t i) const { return features.data() + i * dim; }
  float* row(size_t i) { return features.data() + i * dim; }
};

struct LocalExamples {
  ExampleSet train, validation, test;
  // Users without a usable (input, target) pair, by SkipReason.
  std::array<int64_t, kNumSkipReasons> skipped{};
  int64_t users_read = 0;
  int64_t test_users = 0;  // test users dropped by for_each_example_chunk
  int64_t events_read = 0;
};

class DatasetSource;

// Reads this rank's share of the dataset in bounded chunks, splits each user in time and by
// subset, and extracts raw (not yet normalised) features.
// item_buckets > 0 also collects each user's item-bucket counts (ExampleSet::items);
// eval_fields_for_train keeps input_present and hist for the training users too (imine eval).
LocalExamples load_examples(const DatasetSource& source, FeatureExtractor& extractor,
                            const TimeSplitConfig& split, uint64_t split_key, double val_fraction,
                            double test_fraction, uint32_t item_buckets = 0,
                            bool eval_fields_for_train = false);

// The same users as load_examples, one source chunk at a time: fn gets each chunk's training
// and validation examples (test users are dropped) and may move them out; nothing is kept, so
// memory is that of one chunk. Returns the counts (users and events read, skipped users).
LocalExamples for_each_example_chunk(const DatasetSource& source, FeatureExtractor& extractor,
                                     const TimeSplitConfig& split, uint64_t split_key,
                                     double val_fraction, double test_fraction,
                                     uint32_t item_buckets,
                                     const std::function<void(LocalExamples&)>& fn);

// Keeps only the columns `selection` (ascending indices of the current row) of every row;
// an empty selection keeps everything.
void select_columns(ExampleSet* set, const std::vector<int>& selection);
// z-scores every row in place.
void normalise_rows(ExampleSet* set, const NormStats& norm);

}  // namespace imine

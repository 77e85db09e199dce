// This rank's users turned into model inputs: feature rows, multi-hot targets and what the
// evaluation needs (input-window categories, the raw history for the HIST baseline).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "imine/features/feature_extractor.h"
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

  size_t size() const { return ids.size(); }
  const float* row(size_t i) const { return features.data() + i * dim; }
  float* row(size_t i) { return features.data() + i * dim; }
};

struct LocalExamples {
  ExampleSet train, validation, test;
  // Users without a usable (input, target) pair, by SkipReason.
  std::array<int64_t, kNumSkipReasons> skipped{};
  int64_t users_read = 0;
  int64_t events_read = 0;
};

class DatasetSource;

// Reads this rank's share of the dataset in bounded chunks, splits each user in time and by
// subset, and extracts raw (not yet normalised) features.
LocalExamples load_examples(const DatasetSource& source, FeatureExtractor& extractor,
                            const TimeSplitConfig& split, uint64_t split_key, double val_fraction,
                            double test_fraction);

}  // namespace imine

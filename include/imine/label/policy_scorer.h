// Scores the users of a chunk for the label policies: the model's per-category scores from one
// window of each user's events and, when a posterior head is given, the posterior standard
// deviation of each score. Shared by `imine label` and `imine eval-policy`, so both feed the
// policies exactly the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "imine/features/feature_extractor.h"
#include "imine/features/item_features.h"
#include "imine/features/normalizer.h"
#include "imine/features/split.h"
#include "imine/label/policy_posterior.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"

namespace imine {

struct Catalog;

struct ScoringInputs {
  Model* model = nullptr;
  const Loss* loss = nullptr;
  const NormStats* norm = nullptr;
  FeatureConfig features;               // with t_ref already set by the caller
  std::vector<int> selection;           // columns of the full feature row, empty = all
  std::vector<double> item_idf;         // one per item bucket iff the model has a sparse input
  const PosteriorHead* head = nullptr;  // null: no sigma
  // Which events are the input: SplitMode::kAll (labels for what comes next) or the input
  // window of the training split (offline evaluation against the target window).
  TimeSplitConfig window;
};

class ChunkScorer {
 public:
  // Throws Error naming `where` (the dataset) when the features or the head do not fit.
  ChunkScorer(const Catalog& catalog, ScoringInputs in, const std::string& where);

  // Scores users `users` of chunk (all when empty): probs and, with a head, sigma, both
  // [m x C] row-major.
  void score(const UserChunk& chunk, const std::vector<size_t>& users, std::vector<float>* probs,
             std::vector<float>* sigma);

  int num_categories() const { return C_; }
  size_t dim() const { return dim_; }
  // The normalised rows and TF-IDF item rows of the last score() call (--dump-features).
  const std::vector<float>& rows() const { return rows_; }
  const SparseRows& items() const { return items_; }
  uint32_t buckets() const { return buckets_; }

 private:
  ScoringInputs in_;
  FeatureExtractor fx_;
  size_t dim_ = 0;
  int C_ = 0;
  uint32_t buckets_ = 0;
  std::vector<float> rows_, full_;
  SparseRows items_;
  std::vector<uint32_t> scratch_;
  SparseBatch batch_items_;
};

}  // namespace imine

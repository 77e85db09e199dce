// Bulk interest labels: every rank scores its own users (whole history as input), rank 0
// receives the results rank by rank in bounded batches and appends them to one labels file,
// which appears under its final name only when complete.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/features/feature_extractor.h"
#include "imine/features/normalizer.h"
#include "imine/features/split.h"
#include "imine/label/policy.h"
#include "imine/label/policy_posterior.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"

namespace imine {

class Communicator;
class DatasetSource;

struct LabelJob {
  std::string out;  // labels.h5 path
  int k = 5;
  std::string checkpoint_path;
  int64_t checkpoint_step = 0;
  // Optional: rank 0 writes its own users' normalised feature rows (and TF-IDF item rows)
  // here, for the interop check in scripts/check_checkpoint.py.
  std::string dump_features;
  int64_t batch_users = 8192;
  // Explore/exploit (label/policy.h, docs/explore-exploit.md): the policy and its seed; with
  // explore_budget >= 0 the policy's knob is calibrated to that share of explore slots first.
  Policy policy;
  uint64_t seed = 0;
  double explore_budget = -1;
  std::string policy_params;            // recorded in the file, e.g. "epsilon=0.2 budget=0.2"
  const PosteriorHead* head = nullptr;  // required by thompson and ucb
  // The events each user is scored from: every event (kAll, labels for what comes next) or the
  // training split's input window (labels for offline evaluation against the target window).
  TimeSplitConfig window = [] {
    TimeSplitConfig w;
    w.mode = SplitMode::kAll;
    return w;
  }();
};

struct LabelStats {
  int64_t users = 0;
  double seconds = 0;
  Policy policy;  // as applied: the knob after --explore-budget calibration
};

// Collective. `features` is the training run's feature configuration; with job.window kAll its
// t_ref is replaced by the end of this dataset, since labels predict what comes after
// everything observed. Returns the policy as used (its knob after calibration) in stats.
// `selection` (ascending columns of the full feature row, empty = all) and `norm` (of the selected
// columns) turn a row into the model's input; `item_idf` (one entry per bucket) is required iff the
// model has a sparse item input.
LabelStats write_labels(const LabelJob& job, const DatasetSource& source, Model& model,
                        const Loss& loss, const NormStats& norm, FeatureConfig features,
                        const std::vector<int>& selection, const std::vector<double>& item_idf,
                        const Communicator& comm);

// Indices of the k largest scores, largest first, ties to the lower index.
void top_k(const float* scores, int num, int k, int32_t* out);

}  // namespace imine

// Conversions between the live model state (nn/, features/) and the plain Checkpoint record.
#pragma once

#include <string>
#include <vector>

#include "imine/features/feature_extractor.h"
#include "imine/features/normalizer.h"
#include "imine/nn/model.h"
#include "imine/nn/optimizer.h"
#include "imine/train/checkpoint.h"

namespace imine {

struct TrainingState {
  const Model* model = nullptr;
  Optimizer* optimizer = nullptr;  // state vectors are read, not changed
  const NormStats* norm = nullptr;
  const FeatureExtractor* features = nullptr;
  std::vector<std::string> category_names;
  std::vector<float> popularity;
  std::string loss_name;
  int64_t step = 0, epoch = 0;
  uint64_t seed = 0;
  std::string config_ini;
  // Columns of the extractor's full row fed to the model (ascending); empty = all of them.
  std::vector<int> selection;
  // IDF of the item buckets; empty when the model has no sparse input.
  std::vector<double> item_idf;
  // Stored so `imine eval` rebuilds the same train/validation/test users and windows.
  const TimeSplitConfig* split = nullptr;
  uint64_t split_key = 0;
  double val_fraction = 0.1, test_fraction = 0.1;
};

// How a checkpoint's model reads a dataset: the training run's feature configuration, the
// selected columns, normalisation and item IDF, and its train/validation/test split.
struct InputSpec {
  FeatureConfig features;
  std::vector<int> selection;  // empty = every column
  std::vector<double> item_idf;
  TimeSplitConfig split;
  uint64_t split_key = 0;
  double val_fraction = 0.1, test_fraction = 0.1;
};

Checkpoint make_checkpoint(const TrainingState& s);

// What `imine label`/`eval` rebuild from a checkpoint.
ModelSpec model_spec_of(const Checkpoint& c);
FeatureConfig feature_config_of(const Checkpoint& c);
std::string loss_name_of(const Checkpoint& c);
// Selection and item IDF as above; the split falls back to the defaults (per-user, 0.2, key 0,
// 0.1/0.1) for checkpoints written before it was stored.
InputSpec input_spec_of(const Checkpoint& c);

// Copies the checkpoint's layers into the model's flat parameters (shapes must agree).
void load_params(const Checkpoint& c, Model* model);

// A checkpoint made ready to score users (eval, label, eval-policy, the posterior pass): the
// model with its weights, the normalisation and how it reads a dataset.
struct TrainedModel {
  explicit TrainedModel(Checkpoint c);
  Checkpoint checkpoint;
  Model model;
  NormStats norm;
  InputSpec input;
  std::string loss_name;
};
// Restores optimizer vectors and step count (names and sizes must agree). The checkpoint holds
// them packed in param_slices() order (no alignment padding); padding stays zero.
void load_optimizer(const Checkpoint& c, const Model& model, Optimizer* opt);

// "1,2,3" <-> {1,2,3}, used for list-valued checkpoint attributes.
std::string join_ints(const std::vector<int>& v);
std::vector<int> split_ints(const std::string& s);

}  // namespace imine

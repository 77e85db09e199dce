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
};

Checkpoint make_checkpoint(const TrainingState& s);

// What `imine label`/`eval` rebuild from a checkpoint.
ModelSpec model_spec_of(const Checkpoint& c);
FeatureConfig feature_config_of(const Checkpoint& c);
std::string loss_name_of(const Checkpoint& c);

// Copies the checkpoint's layers into the model's flat parameters (shapes must agree).
void load_params(const Checkpoint& c, Model* model);
// Restores optimizer vectors and step count (names and sizes must agree).
void load_optimizer(const Checkpoint& c, Optimizer* opt);

// "1,2,3" <-> {1,2,3}, used for list-valued checkpoint attributes.
std::string join_ints(const std::vector<int>& v);
std::vector<int> split_ints(const std::string& s);

}  // namespace imine

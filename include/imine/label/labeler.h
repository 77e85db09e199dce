// Bulk interest labels: every rank scores its own users (whole history as input), rank 0
// receives the results rank by rank in bounded batches and appends them to one labels file,
// which appears under its final name only when complete.
#pragma once

#include <cstdint>
#include <string>

#include "imine/features/feature_extractor.h"
#include "imine/features/normalizer.h"
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
  // Optional: rank 0 writes its own users' normalised feature rows here (for the interop
  // check in scripts/check_checkpoint.py).
  std::string dump_features;
  int64_t batch_users = 8192;
};

struct LabelStats {
  int64_t users = 0;
  double seconds = 0;
};

// Collective. `features` is the training run's feature configuration; t_ref is replaced by the
// end of this dataset, since labels predict what comes after everything observed.
LabelStats write_labels(const LabelJob& job, const DatasetSource& source, Model& model,
                        const Loss& loss, const NormStats& norm, FeatureConfig features,
                        const Communicator& comm);

// Indices of the k largest scores, largest first, ties to the lower index.
void top_k(const float* scores, int num, int k, int32_t* out);

}  // namespace imine

// Everything the training loop needs from the data, computed collectively once: this rank's
// training users in a RowStore on local disk (raw rows; selection, z-scoring and TF-IDF are
// applied when a batch is assembled, so resident memory does not grow with the shard), the
// evaluated validation users in memory (bounded by --val-max-users), statistics summed over
// all ranks (normalisation, category popularity, item IDF), and the feature selection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "imine/data/dataset_source.h"
#include "imine/features/feature_extractor.h"
#include "imine/features/normalizer.h"
#include "imine/train/examples.h"
#include "imine/train/row_store.h"
#include "imine/train/trainer.h"

namespace imine {

class Communicator;
struct Checkpoint;

struct TrainingData {
  TrainingData(const std::string& dir, int rank, int size, const TrainConfig& cfg);
  DatasetSource source;
  FeatureExtractor features;             // keeps a reference to source's catalog: not movable
  std::unique_ptr<RowStore> train_rows;  // this rank's training users, raw
  // This rank's share of the validation users evaluated (sampled to --val-max-users over all
  // ranks by Validator::keeps), normalised and TF-IDF weighted.
  ExampleSet validation;
  NormStats norm{1};
  std::vector<float> popularity;
  std::vector<int> selection;    // kept columns of the full feature row (empty: all)
  std::vector<int> wide_inputs;  // the wide path's columns, as positions in the kept row
  std::vector<double> item_idf;
  int64_t num_train = 0;
  size_t dim = 0;  // kept features per row
};

// Collective. With `from` (resuming, or fine-tuning with --init-from) the checkpoint's feature
// selection, normalisation and item IDF are used instead of this data's. The scratch files go
// to cfg.scratch_dir (default cfg.out).
std::unique_ptr<TrainingData> load_training_data(const TrainConfig& cfg, const Communicator& comm,
                                                 const Checkpoint* from);

}  // namespace imine

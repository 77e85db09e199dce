// Checkpoints (schema imine.checkpoint v1, HDF5; layout in docs/file-formats.md): everything a
// resumed run or `imine label` needs, as plain data so this file knows nothing of nn/ types.
// Writes are atomic (temp name, fsync, rename); reads validate shapes, finiteness and a content
// checksum, so a torn or corrupted file is refused with its name instead of being half-used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace imine {

inline constexpr char kCheckpointSchema[] = "imine.checkpoint";
inline constexpr int64_t kCheckpointVersion = 2;  // 2: fixed-length strings

struct CheckpointLayer {
  int64_t out = 0;
  int64_t in = 0;
  std::vector<float> weight;  // row-major [out, in]
  std::vector<float> bias;    // [out]
  std::string activation;     // applied after this layer: "relu" or "none"
};

// A tensor outside the layer stack, row-major [rows, cols]; empty (0 x 0) when absent.
struct CheckpointTensor {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;
  bool empty() const { return data.empty() && rows == 0 && cols == 0; }
};

struct Checkpoint {
  std::vector<CheckpointLayer> layers;  // input to output
  std::string optimizer;                // e.g. "adamw"
  // Named flat state vectors ("m", "v", ...), each of num_params() floats.
  std::vector<std::pair<std::string, std::vector<float>>> optimizer_state;
  int64_t optimizer_step = 0;
  std::vector<double> norm_mean;  // [feature_names.size()]
  std::vector<double> norm_std;   // [feature_names.size()], all > 0
  std::vector<std::string> feature_names;
  std::vector<std::string> category_names;  // [last layer out]
  std::vector<double> category_popularity;  // [category_names.size()], for the POP baseline
  int64_t step = 0;
  int64_t epoch = 0;
  int64_t seed = 0;
  std::vector<uint64_t> rng_state;     // may be empty
  std::vector<int64_t> data_position;  // e.g. {epoch, step in epoch}; may be empty
  std::string config_ini;              // effective configuration text
  double best_metric = 0.0;            // must be finite; best_metric_name empty when none yet
  std::string best_metric_name;
  // Extra root attributes (e.g. the model spec); names must not clash with the reserved ones.
  std::vector<std::pair<std::string, std::string>> string_attrs;
  // Last validation metrics; values may be NaN (a metric can be undefined on a batch).
  std::vector<std::pair<std::string, double>> metrics;

  // Optional parts (absent from the file when empty; docs/file-formats.md):
  // /features/selected: the columns of the full feature row fed to the model, ascending.
  std::vector<int64_t> feature_selection;
  // /features/item_idf [B]: IDF of the B item buckets (the sparse input).
  std::vector<double> item_idf;
  // /model/sparse/weight [B, first layer out]: item buckets into the first layer.
  CheckpointTensor sparse;
  // /model/wide/weight [C, w] and /model/wide/inputs [w]: the wide path from input columns.
  CheckpointTensor wide;
  std::vector<int64_t> wide_inputs;
  // /model/wide_sparse/weight [B, C]: item buckets straight to the logits.
  CheckpointTensor wide_sparse;
  // /model/posterior/weight [C * H, H] and /model/posterior/evidence [C]: the NeuralLinear head
  // on the last hidden layer (H wide), A_c^-1 for each category c in turn, and how many training
  // users counted as evidence for c (train/posterior_head.h).
  CheckpointTensor posterior;
  std::vector<double> posterior_evidence;

  // Weights plus biases of all layers, plus the optional tensors.
  int64_t num_params() const;
};

// Throws Error (prefixed with `context`, e.g. the file name) unless the shapes agree (bias ==
// out, each layer's in == previous out, norm vectors == feature_names == first layer in,
// categories == last layer out, optimizer vectors == num_params), activations and names are
// valid and every number except metrics is finite.
void validate_checkpoint(const Checkpoint& c, const std::string& context);

// Checksum over every numeric and string dataset in a fixed order (docs/file-formats.md),
// stored as the root attribute content_checksum.
uint64_t checkpoint_content_checksum(const Checkpoint& c);

// Validates, then writes atomically: `path` is either the previous file or the complete new one.
void write_checkpoint(const std::string& path, const Checkpoint& c);
// Checks schema and version, shapes, finiteness and the content checksum; every Error names the
// file and, where one is at fault, the dataset.
Checkpoint read_checkpoint(const std::string& path);

// A folder of step checkpoints dir/ckpt-<step>.h5 plus dir/best.h5.
class CheckpointDir {
 public:
  // keep_last >= 1: how many of the newest step checkpoints save() keeps.
  CheckpointDir(std::string dir, int keep_last);

  const std::string& dir() const { return dir_; }
  std::string path_for_step(int64_t step) const;  // dir/ckpt-00001234.h5
  std::string best_path() const;                  // dir/best.h5

  // Writes path_for_step(c.step) (creating the folder), then, if is_best, atomically replaces
  // best.h5 with a hard link to it (a copy where links are unsupported), then deletes step
  // checkpoints beyond the keep_last newest, except the one best.h5 was taken from.
  void save(const Checkpoint& c, bool is_best);

  // The newest ckpt-*.h5 that reads back cleanly; unreadable ones are skipped with a log line.
  std::optional<std::string> newest_valid() const;

  // Steps of the ckpt-*.h5 files present, ascending.
  std::vector<int64_t> list_steps() const;

 private:
  void prune();

  std::string dir_;
  int keep_last_;
  std::optional<int64_t> best_step_;  // learnt from best.h5 on first save after a restart
  bool best_step_loaded_ = false;
};

}  // namespace imine

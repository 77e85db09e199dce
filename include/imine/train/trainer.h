// The data-parallel training loop: every rank computes gradient sums on its share of each
// global step, one allreduce sums them, every rank applies the same update. Rank-0 work
// (reporting, checkpoints) happens in one place per step, after that step's collectives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/features/split.h"
#include "imine/nn/gemm.h"
#include "imine/nn/optimizer.h"
#include "imine/privacy/dp_sgd.h"

namespace imine {

class Communicator;

struct TrainConfig {
  std::string data;
  std::string out;
  uint64_t seed = 1;
  int64_t epochs = 5;
  int64_t max_steps = 0;     // > 0: stop after this many steps (schedule still spans all epochs)
  int64_t batch_size = 512;  // global, over all ranks
  std::vector<int> hidden = {256, 128};
  float dropout = 0.1f;
  std::string loss = "bce";
  // Wide path from the input to the logits: "none", "hist", "hist+recency" (the user's own
  // history blocks) or "all" (every selected dense feature).
  std::string wide = "hist+recency";
  uint32_t item_buckets = 0;    // hashed item features (sparse input); 0 = off
  bool wide_items = false;      // item buckets also feed the logits directly
  int64_t select_features = 0;  // keep the top-K features by mutual information; 0 = all
  OptimizerConfig optimizer;
  float lr = 1e-3f;
  int64_t warmup_steps = 100;
  float min_lr_ratio = 0.05f;
  float clip_norm = 5.0f;
  // DP-SGD (dp.enabled()): Poisson-sampled batches, per-example clipping, Gaussian noise;
  // clip_norm is not applied then (every example's gradient is already bounded by dp.clip).
  DpConfig dp;
  // Data.
  TimeSplitConfig split;
  uint64_t split_key = 0;
  double val_fraction = 0.1;
  double test_fraction = 0.1;
  double half_life_days = 14.0;
  // Scratch folder of the per-rank row stores ("" = out); node-local disk on a cluster.
  std::string scratch_dir;
  // Training (and, separately, validation) rows kept in memory up to this size before they
  // spill to the scratch folder: a fixed bound, so peak memory still does not grow with data.
  double scratch_memory_mb = 64;
  int prefetch_batches = 2;  // batches assembled ahead of the compute thread
  // Evaluation and output.
  int64_t eval_every = 500;
  int64_t val_max_users = 200000;
  int top_k = 3;
  int keep_checkpoints = 3;
  std::string resume;             // "", "auto" or a checkpoint path
  std::string init_from;          // fine-tune: start from this checkpoint's weights (not its step)
  bool skip_nonfinite = false;    // skip a step whose loss or gradient is not finite
  int64_t straggler_every = 200;  // log per-rank step-time statistics every N steps (0: off)
  ComputeOptions compute;         // GEMM backend and precision (bf16: bf16 products, fp32 master)
  double bucket_mb = 4.0;  // gradient allreduce buckets overlapped with backward (0: one allreduce)
  std::string reducer = "auto";  // gradient reduction: auto, mpi or shm (dist/gradient_reduction.h)
  std::string trace;       // Chrome trace of per-rank phases ("" = off)
  int64_t trace_steps = 200;  // steps recorded in the trace
  int64_t checksum_every = 100;
  double progress_seconds = 5.0;
  double step_timeout = 0;  // watchdog: seconds without progress before abort (0: off)
  bool write_labels = false;
  int label_k = 5;
  std::string config_ini;  // the effective configuration, stored in checkpoints
};

struct TrainSummary {
  int64_t steps = 0;
  std::string last_checkpoint;
  std::string labels;
  bool stopped_on_request = false;  // SIGUSR1/SIGTERM: checkpointed and stopped early
};

// Collective: every rank calls it with the same config.
TrainSummary run_training(const TrainConfig& config, const Communicator& comm);

}  // namespace imine

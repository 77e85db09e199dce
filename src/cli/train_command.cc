#include <cstdio>

#include "imine/cli/commands.h"
#include "imine/cli/compute_setup.h"
#include "imine/dist/communicator.h"
#include "imine/dist/watchdog.h"
#include "imine/train/posterior_head.h"
#include "imine/train/trainer.h"
#include "imine/util/error.h"
#include "imine/util/stop_signal.h"

namespace imine {

OptionTable train_options() {
  OptionTable t("train", "Train the interest model on a dataset folder, data-parallel over ranks");
  t.add_path("data", "", "Dataset folder (catalog.h5, manifest.h5, part-*.h5)").required();
  t.add_path("out", "", "Run folder: checkpoints/, metrics.jsonl, labels.h5").required();
  t.add_int("seed", 1, "Seed of initialisation, data order and dropout").at_least(0);
  t.add_int("epochs", 5, "Passes over the training users").range(1, 100000);
  t.add_int("max-steps", 0, "Stop after this many steps (0: run all epochs)").at_least(0);
  t.add_int("batch-size", 512, "Global batch size over all ranks (results do not depend on np)")
      .range(1, 1 << 24);
  t.add_int_list("hidden", {256, 128}, "Hidden layer widths of the MLP").range(1, 1 << 16);
  t.add_float("dropout", 0.1, "Dropout after each hidden layer").range(0, 0.95);
  t.add_string("loss", "bce", "Training loss").choices({"bce", "softmax_ce", "mse"});
  t.add_string("wide", "hist+recency",
               "Wide linear path from input features straight to the logits, beside the MLP: "
               "none, the user's own category histograms (hist, hist+recency) or every "
               "selected feature (all)")
      .choices({"none", "hist", "hist+recency", "all"});
  t.add_int("item-buckets", 0,
            "Hash each user's items into this many buckets (TF-IDF, L2-normalised) as a sparse "
            "input to the first layer (0: off)")
      .range(0, 1 << 24);
  t.add_bool("wide-items", false, "The item buckets also feed the logits directly (wide path)");
  t.add_int("select-features", 0,
            "Keep the K dense features with the highest mutual information with the targets "
            "(0: all; the wide path's features are always kept)")
      .at_least(0);
  t.add_string("optimizer", "adamw", "Optimizer").choices({"sgd", "adam", "adamw"});
  t.add_float("lr", 2e-3, "Peak learning rate").range(1e-8, 10);
  t.add_float("momentum", 0.9, "SGD momentum").range(0, 0.999);
  t.add_float("weight-decay", 1e-4, "Weight decay (decoupled for adamw)").range(0, 1);
  t.add_int("warmup-steps", 100, "Linear warmup steps before cosine decay").at_least(0);
  t.add_float("min-lr-ratio", 0.05, "Final learning rate as a share of --lr").range(0, 1);
  t.add_float("clip-norm", 5.0, "Clip the global gradient norm to this (0: off)").range(0, 1e6);
  t.add_float("dp-clip", 0,
              "DP-SGD: clip every user's gradient to this norm (0: no differential privacy; "
              "--clip-norm is then not applied); see docs/privacy.md")
      .range(0, 1e6);
  t.add_float("dp-noise-multiplier", 0, "DP-SGD: Gaussian noise stddev as a multiple of --dp-clip")
      .range(0, 1000);
  t.add_float("dp-target-epsilon", 0,
              "DP-SGD: instead of --dp-noise-multiplier, the noise that spends this epsilon "
              "over the planned steps")
      .range(0, 1000);
  t.add_float("dp-delta", 1e-5, "DP-SGD: delta of the reported (epsilon, delta); below 1/users")
      .range(0, 1);
  t.add_bool(
      "dp-seeded-noise", false,
      "TEST ONLY: DP noise from --seed instead of the OS CSPRNG (reproducible, NOT private)");
  add_split_options(&t);
  t.add_int("eval-every", 500, "Validate (and checkpoint) every N steps and at the end")
      .at_least(0);
  t.add_int("val-max-users", 200000, "Evaluate on at most this many validation users").at_least(1);
  t.add_int("k", 3, "Cut-off k of Precision/Recall/NDCG@k").range(1, 1000);
  t.add_int("keep-checkpoints", 3, "Step checkpoints to keep (plus the best)").range(1, 1000);
  t.add_string("resume", "", "Resume: 'auto' (newest valid checkpoint in --out) or a path");
  t.add_path("init-from", "",
             "Fine-tune: start from this checkpoint's weights, feature selection and "
             "normalisation, at step 0 (ignored when --resume finds a checkpoint)");
  t.add_bool("skip-nonfinite", false,
             "Skip a step whose loss or gradient is not finite instead of stopping");
  t.add_path("scratch-dir", "",
             "Folder for each rank's extracted training rows (unlinked scratch files, about "
             "4 bytes per feature per user; default --out). On a cluster use node-local disk, "
             "e.g. $TMPDIR under Slurm");
  t.add_float("scratch-memory-mb", 64,
              "Extracted rows kept in memory per rank (training and validation each) before "
              "they spill to --scratch-dir; a fixed bound, so memory does not grow with data")
      .range(0, 1 << 20);
  t.add_int("prefetch-batches", 2,
            "Batches assembled ahead of the training step on one extra thread per rank "
            "(reads, normalisation)")
      .range(1, 64);
  t.add_int("straggler-every", 200, "Log per-rank step times every N steps (0: off)").at_least(0);
  t.add_int("threads-per-rank", 1,
            "GEMM threads per rank (ranks x threads must fit the node's cores; with mpirun "
            "bind each rank to that many cores: --map-by slot:PE=N)")
      .range(1, 1024);
  t.add_string("precision", "fp32",
               "Inputs of the matrix products: bf16 keeps fp32 master weights, optimizer state, "
               "loss and gradient reduction (docs/performance.md)")
      .choices({"fp32", "bf16"});
  add_gradient_reduction_options(t);
  t.add_path("trace", "", "Write a Chrome trace (chrome://tracing, Perfetto) of every rank here");
  t.add_int("trace-steps", 200, "Steps recorded in the --trace timeline").range(1, 1000000);
  t.add_int("checksum-every", 100, "Compare parameter checksums across ranks every N steps")
      .at_least(0);
  t.add_float("progress-seconds", 5.0, "Seconds between progress lines").range(0, 86400);
  t.add_float("step-timeout", 0,
              "Abort the job, naming every rank's phase and step, when a rank makes no progress "
              "for this many seconds (0: off)")
      .range(0, 1e6);
  t.add_bool("write-labels", false, "Write --out/labels.h5 for every user at the end");
  t.add_int("label-k", 5, "Interest categories per user in the labels").range(1, 1000);
  t.add_float("posterior-lambda", 1.0,
              "Prior precision of the NeuralLinear posterior head fitted into "
              "checkpoints/best.h5 after training, for thompson/ucb labels (0: no head)")
      .range(0, 1e9);
  return t;
}

namespace {

std::string effective_config(const ParsedOptions& o) { return print_config(train_options(), o); }

}  // namespace

int run_train(const ParsedOptions& o, const std::vector<std::string>& positional,
              const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "train: unexpected argument '" << positional[0] << "'";
  TrainConfig c;
  c.data = o.get_string("data");
  c.out = o.get_string("out");
  c.seed = static_cast<uint64_t>(o.get_int("seed"));
  c.epochs = o.get_int("epochs");
  c.max_steps = o.get_int("max-steps");
  c.batch_size = o.get_int("batch-size");
  c.hidden.clear();
  for (int64_t h : o.get_int_list("hidden")) c.hidden.push_back(static_cast<int>(h));
  c.dropout = static_cast<float>(o.get_float("dropout"));
  c.loss = o.get_string("loss");
  c.wide = o.get_string("wide");
  c.item_buckets = static_cast<uint32_t>(o.get_int("item-buckets"));
  c.wide_items = o.get_bool("wide-items");
  IMINE_CHECK(!c.wide_items || c.item_buckets > 0)
      << "option --wide-items needs --item-buckets > 0";
  c.select_features = o.get_int("select-features");
  c.optimizer.name = o.get_string("optimizer");
  c.optimizer.momentum = static_cast<float>(o.get_float("momentum"));
  c.optimizer.weight_decay = static_cast<float>(o.get_float("weight-decay"));
  c.lr = static_cast<float>(o.get_float("lr"));
  c.warmup_steps = o.get_int("warmup-steps");
  c.min_lr_ratio = static_cast<float>(o.get_float("min-lr-ratio"));
  c.clip_norm = static_cast<float>(o.get_float("clip-norm"));
  c.dp.clip = o.get_float("dp-clip");
  c.dp.noise_multiplier = o.get_float("dp-noise-multiplier");
  c.dp.target_epsilon = o.get_float("dp-target-epsilon");
  c.dp.delta = o.get_float("dp-delta");
  c.dp.seeded_noise = o.get_bool("dp-seeded-noise");
  c.split.mode = o.get_string("split-mode") == "cutoff" ? SplitMode::kCutoff : SplitMode::kPerUser;
  c.split.target_fraction = o.get_float("target-fraction");
  c.split.cutoff = o.get_int("cutoff");
  if (o.get_int("horizon") > 0) c.split.horizon = o.get_int("horizon");
  IMINE_CHECK(c.split.mode != SplitMode::kCutoff || o.was_set("cutoff"))
      << "option --cutoff is required with --split-mode cutoff";
  c.split_key = static_cast<uint64_t>(o.get_int("split-key"));
  c.val_fraction = o.get_float("val-fraction");
  c.test_fraction = o.get_float("test-fraction");
  c.half_life_days = o.get_float("half-life-days");
  c.scratch_dir = o.get_string("scratch-dir");
  c.scratch_memory_mb = o.get_float("scratch-memory-mb");
  c.prefetch_batches = static_cast<int>(o.get_int("prefetch-batches"));
  c.eval_every = o.get_int("eval-every");
  c.val_max_users = o.get_int("val-max-users");
  c.top_k = static_cast<int>(o.get_int("k"));
  c.keep_checkpoints = static_cast<int>(o.get_int("keep-checkpoints"));
  c.resume = o.get_string("resume");
  c.init_from = o.get_string("init-from");
  c.skip_nonfinite = o.get_bool("skip-nonfinite");
  c.straggler_every = o.get_int("straggler-every");
  c.compute = setup_compute(static_cast<int>(o.get_int("threads-per-rank")),
                            o.get_string("precision"), "onednn", comm, "--threads-per-rank");
  c.bucket_mb = o.get_float("bucket-mb");
  c.reducer = o.get_string("reducer");
  c.trace = o.get_string("trace");
  c.trace_steps = o.get_int("trace-steps");
  c.checksum_every = o.get_int("checksum-every");
  c.progress_seconds = o.get_float("progress-seconds");
  c.step_timeout = o.get_float("step-timeout");
  c.write_labels = o.get_bool("write-labels");
  c.label_k = static_cast<int>(o.get_int("label-k"));
  c.config_ini = effective_config(o);
  WatchdogArm watchdog(c.step_timeout);  // the process's watchdog (main.cc), for this run
  TrainSummary s = run_training(c, comm);
  const double lambda = o.get_float("posterior-lambda");
  // The posterior head is fitted on the raw training data without noise: no DP guarantee would
  // cover it, so a DP-SGD run never adds one (docs/privacy.md).
  if (lambda > 0 && !s.stopped_on_request && !c.dp.enabled()) {
    add_posterior_head(c.out + "/checkpoints/best.h5", c.data, lambda, comm);
  }
  if (comm.is_root()) {
    std::printf("\ncheckpoint: %s\n", s.last_checkpoint.c_str());
    if (!s.labels.empty()) std::printf("labels: %s\n", s.labels.c_str());
    std::printf("metrics: %s/metrics.jsonl\n", c.out.c_str());
  }
  // Job scripts requeue on this code (jobs/train.sbatch).
  return s.stopped_on_request ? kExitCheckpointedOnRequest : 0;
}

}  // namespace imine

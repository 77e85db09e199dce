#include "imine/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "imine/dist/communicator.h"
#include "imine/eval/metrics.h"
#include "imine/label/labeler.h"
#include "imine/nn/clip.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/schedule.h"
#include "imine/privacy/poisson_sampler.h"
#include "imine/train/batch_prefetcher.h"
#include "imine/train/checkpoint.h"
#include "imine/train/epoch_order.h"
#include "imine/train/gradient_sync.h"
#include "imine/train/model_io.h"
#include "imine/train/step_monitor.h"
#include "imine/train/training_data.h"
#include "imine/train/validator.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/fault.h"
#include "imine/util/hash.h"
#include "imine/util/log.h"
#include "imine/util/phase.h"
#include "imine/util/stop_signal.h"

namespace imine {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

uint64_t param_checksum(const Model& model) {
  Checksum64 c;
  c.update_array(model.params().params(), model.params().size());
  return c.value();
}

// Rank 0 only: one JSON line per evaluation.
std::string metrics_json(int64_t step, int64_t epoch, double samples_per_s, double loss,
                         const EvalResult& r, const std::string& extra) {
  std::ostringstream o;
  o.precision(6);
  o << "{\"step\":" << step << ",\"epoch\":" << epoch << ",\"samples_per_s\":" << samples_per_s
    << ",\"train_loss\":" << (std::isfinite(loss) ? loss : 0.0) << ",\"val_users\":" << r.users
    << "," << to_json_fields(r.model, "model") << "," << to_json_fields(r.pop, "pop") << ","
    << to_json_fields(r.hist, "hist") << extra << "}";
  return o.str();
}

// The checkpoint this run starts from: the newest valid one for --resume auto, a given path,
// or --init-from. Rank 0 decides and broadcasts, so every rank reads the same file.
std::optional<Checkpoint> starting_checkpoint(const TrainConfig& cfg, const CheckpointDir& dir,
                                              const Communicator& comm, bool* resumed) {
  std::string path;
  if (comm.is_root() && !cfg.resume.empty()) {
    if (cfg.resume == "auto") {
      if (auto p = dir.newest_valid()) path = *p;
    } else {
      path = cfg.resume;
    }
  }
  comm.broadcast(&path);
  *resumed = !path.empty();
  if (path.empty() && comm.is_root() && cfg.resume == "auto")
    IMINE_LOG() << "--resume auto: no checkpoint in " << dir.dir() << ", starting fresh";
  if (path.empty()) path = cfg.init_from;
  if (path.empty()) return std::nullopt;
  Checkpoint c = read_checkpoint(path);
  if (comm.is_root())
    IMINE_LOG() << (*resumed ? "resuming from " : "fine-tuning from ") << path << " (step "
                << c.step << ")";
  return c;
}

}  // namespace

TrainSummary run_training(const TrainConfig& cfg, const Communicator& comm) {
  const bool root = comm.is_root();
  auto t_start = Clock::now();
  install_stop_handlers();
  CheckpointDir ckdir(cfg.out + "/checkpoints", cfg.keep_checkpoints);
  bool resumed = false;
  std::optional<Checkpoint> from = starting_checkpoint(cfg, ckdir, comm, &resumed);
  std::unique_ptr<TrainingData> data = load_training_data(cfg, comm, from ? &*from : nullptr);
  const size_t C = data->features.num_categories();

  // Model, replicated: rank 0 initialises and broadcasts.
  ModelSpec spec;
  spec.input_dim = static_cast<int>(data->dim);
  spec.hidden = cfg.hidden;
  spec.output_dim = static_cast<int>(C);
  spec.dropout = cfg.dropout;
  spec.sparse_dim = static_cast<int>(cfg.item_buckets);
  spec.wide_inputs = data->wide_inputs;
  spec.wide_sparse = cfg.wide_items;
  Model model(spec);
  model.set_compute(cfg.compute);
  if (root) model.init(cfg.seed);
  comm.broadcast(model.params().params(), model.num_params() * sizeof(float));
  Loss loss = Loss::from_name(cfg.loss);
  std::unique_ptr<Optimizer> opt = make_optimizer(cfg.optimizer, model.num_params());
  const int64_t steps_epoch = steps_per_epoch(data->num_train, cfg.batch_size);
  const int64_t total_steps = steps_epoch * cfg.epochs;
  ScheduleConfig sc;
  sc.lr = cfg.lr;
  sc.warmup_steps = std::min(cfg.warmup_steps, total_steps);
  sc.total_steps = total_steps;
  sc.min_lr_ratio = cfg.min_lr_ratio;
  LrSchedule schedule(sc);
  const int64_t last_step = cfg.max_steps > 0 ? std::min(cfg.max_steps, total_steps) : total_steps;
  // DP-SGD: the plan (and the noise key, fresh from rank 0's CSPRNG and broadcast) is the same
  // on every rank; the broadcast is a collective, so every rank takes this branch.
  std::optional<DpPlan> dp;
  NoiseKey noise_key{};
  if (cfg.dp.enabled() || cfg.dp.noise_multiplier > 0 || cfg.dp.target_epsilon > 0) {
    dp = plan_dp(cfg.dp, data->num_train, cfg.batch_size, last_step);
    if (cfg.dp.seeded_noise) {
      noise_key = seeded_noise_key(cfg.seed);
    } else {
      if (root) noise_key = fresh_noise_key();
      comm.broadcast(noise_key.data(), noise_key.size());
    }
    const char* note = cfg.dp.seeded_noise ? "; TEST-ONLY seeded noise: NOT private" : "";
    if (root) IMINE_LOG() << describe(*dp) << note;
  }

  int64_t step = 0;
  double best = -1.0;
  if (from) {
    IMINE_CHECK(model_spec_of(*from) == spec)
        << "checkpoint model " << model_spec_of(*from).describe() << " does not match this run's "
        << spec.describe() << " (same --hidden, --dropout, --wide, --item-buckets?)";
    load_params(*from, &model);
    if (resumed) {
      load_optimizer(*from, model, opt.get());
      step = from->step;
      if (!from->best_metric_name.empty()) best = from->best_metric;
    }
    from.reset();  // release the optimizer state copies
  }
  // load_training_data already sampled the validation users to --val-max-users: keep them all.
  Validator validator(data->validation, data->popularity, cfg.top_k, 0, cfg.split_key, comm);
  if (root) {
    make_dirs(cfg.out);
    IMINE_LOG() << "model " << spec.describe() << ", " << model.num_weights() << " parameters ("
                << precision_name(model.compute().precision) << " "
                << backend_name(model.compute().backend) << " products); " << steps_epoch
                << " steps per epoch, " << last_step << " steps to run, global "
                << "batch about " << cfg.batch_size << " on " << comm.size() << " ranks";
  }

  // Gradients are summed in buckets that start while backward still runs (--bucket-mb), by MPI
  // or in shared memory (--reducer).
  GradientSync sync(comm, model, cfg.bucket_mb, cfg.reducer);
  if (root && sync) IMINE_LOG() << "gradient reduction: " << sync.name();
  // The batches come from the prefetch thread, which alone uses the order, the sampler and the
  // batcher. The epoch order reads the ids from the row store window by window (flat memory);
  // the DP sampler keeps this rank's ids in memory (8 bytes per user: DP training is not flat).
  const RowStore& rows = *data->train_rows;
  EpochOrder order(
      rows.size(), [&rows](size_t b, size_t n, uint64_t* out) { rows.read_ids(b, n, out); },
      cfg.seed, steps_epoch);
  std::vector<uint64_t> dp_ids;
  std::optional<PoissonSampler> poisson;
  if (dp) {
    dp_ids.resize(rows.size());
    rows.read_ids(0, rows.size(), dp_ids.data());
    poisson.emplace(dp_ids, cfg.seed, dp->q, steps_epoch);
  }
  RowBatcher batcher(rows, data->selection, data->norm, data->item_idf);
  int64_t produced_epoch = -1;
  auto produce = [&](int64_t at, Batch* b) {
    const int64_t epoch = at / steps_epoch, s = at % steps_epoch;
    if (epoch != produced_epoch) {
      if (poisson) {
        poisson->start_epoch(epoch);
      } else {
        order.start_epoch(epoch);
      }
      produced_epoch = epoch;
    }
    if (poisson) {
      batcher.fill(poisson->step_begin(s), poisson->step_size(s), b);
    } else {
      batcher.fill(order.step_begin(s), order.step_size(s), b);
    }
  };
  StepMonitor monitor(cfg.straggler_every, cfg.trace.empty() ? 0 : cfg.trace_steps, comm);
  TrainingState state{&model,
                      opt.get(),
                      &data->norm,
                      &data->features,
                      data->source.catalog().category_names,
                      data->popularity,
                      cfg.loss,
                      0,
                      0,
                      cfg.seed,
                      cfg.config_ini,
                      data->selection,
                      data->item_idf,
                      &cfg.split,
                      cfg.split_key,
                      cfg.val_fraction,
                      cfg.test_fraction};
  auto t_loop = Clock::now(), t_progress = Clock::now();
  int64_t samples_since = 0, first_step = step, last_saved = -1;
  // Seconds spent validating and checkpointing: not training time, so samples/s leaves them out.
  double eval_seconds = 0;
  // Samples of the current epoch (global): the fault tests check each training user is used
  // exactly once per epoch whatever the number of ranks.
  double epoch_samples = 0;
  double loss_sum_window = 0, loss_n_window = 0, last_loss = NAN;

  auto evaluate_and_checkpoint = [&](int64_t at_step) {
    enter_phase(Phase::kValidate, at_step);
    const double sps = double(samples_since) / std::max(1e-9, seconds_since(t_loop) - eval_seconds);
    const auto t_eval = Clock::now();
    struct AddSeconds {  // on every path out, rank 0's early return included
      double* total;
      Clock::time_point t;
      ~AddSeconds() { *total += seconds_since(t); }
    } add_seconds{&eval_seconds, t_eval};
    EvalResult r = validator.evaluate(model, loss);
    state.step = at_step;
    state.epoch = at_step / steps_epoch;
    last_saved = at_step;
    if (!root) return;  // everything below is rank-0 output, no collectives
    std::string dp_json;
    if (dp) {
      const double eps = dp_epsilon_after(*dp, at_step);
      std::printf("\nDP-SGD: epsilon %.4g at delta %.3g after %lld steps\n", eps, dp->delta,
                  static_cast<long long>(at_step));
      std::ostringstream o;
      o << ",\"dp_epsilon\":" << eps << ",\"dp_delta\":" << dp->delta
        << ",\"dp_noise_multiplier\":" << dp->sigma << ",\"dp_clip\":" << dp->clip;
      dp_json = o.str();
    }
    std::printf("\nvalidation at step %lld (epoch %lld, %lld users)\n%s",
                static_cast<long long>(at_step), static_cast<long long>(state.epoch),
                static_cast<long long>(r.users),
                metrics_table({{"model", r.model}, {"pop", r.pop}, {"hist", r.hist}}).c_str());
    std::fflush(stdout);
    std::ofstream(cfg.out + "/metrics.jsonl", std::ios::app)
        << metrics_json(at_step, state.epoch, sps, last_loss, r, dp_json) << "\n";
    enter_phase(Phase::kCheckpoint, at_step);
    Checkpoint c = make_checkpoint(state);
    const bool is_best = std::isfinite(r.model.micro_auc) && r.model.micro_auc > best;
    if (is_best) best = r.model.micro_auc;
    c.best_metric = std::max(best, 0.0);
    c.best_metric_name = "val_micro_auc";
    c.metrics = {{"val_micro_auc", r.model.micro_auc},
                 {"val_macro_auc", r.model.macro_auc},
                 {"val_ndcg_at_k", r.model.ndcg_at_k},
                 {"val_log_loss", r.model.log_loss},
                 {"val_new_interest_recall_at_k", r.model.new_interest_recall_at_k}};
    if (dp) {
      c.metrics.insert(c.metrics.end(), {{"dp_epsilon", dp_epsilon_after(*dp, at_step)},
                                         {"dp_delta", dp->delta},
                                         {"dp_noise_multiplier", dp->sigma},
                                         {"dp_clip", dp->clip},
                                         {"dp_sample_rate", dp->q}});
    }
    ckdir.save(c, is_best);
  };

  TrainSummary summary;
  std::optional<BatchPrefetcher> prefetch;
  if (step < last_step) prefetch.emplace(produce, step, last_step, cfg.prefetch_batches);
  while (step < last_step) {
    const int64_t epoch = step / steps_epoch;
    // The features phase is now the wait for the prefetch thread's batch.
    monitor.begin(Phase::kFeatures, step);
    Batch& batch = prefetch->acquire(step);
    const size_t n = batch.size();
    model.params().zero_grads();
    if (sync) sync->begin_step();
    // {loss sum, samples, ranks asking to stop, ranks with a non-finite loss}, summed globally.
    double stats[4] = {0.0, static_cast<double>(n), stop_requested() ? 1.0 : 0.0, 0.0};
    if (n > 0) {
      ForwardContext ctx;
      ctx.training = true;
      ctx.seed = cfg.seed;
      ctx.step = static_cast<uint64_t>(step);
      ctx.sample_keys = batch.keys.data();
      monitor.begin(Phase::kForward, step);
      const Eigen::MatrixXf& logits =
          model.forward(batch.x, spec.sparse_dim > 0 ? &batch.items : nullptr, ctx);
      stats[0] = loss.loss_sum(logits, batch.y, &batch.dlogits);
      if (fault_wants_nan(step)) stats[0] = NAN;
      monitor.begin(Phase::kBackward, step);
      if (dp) {
        model.backward_clipped(batch.dlogits, static_cast<float>(dp->clip), nullptr);
      } else {
        model.backward(batch.dlogits);
      }
    }
    const bool local_bad = !std::isfinite(stats[0]);
    if (local_bad) stats[3] = 1.0;
    float* grads = model.params().grads();
    monitor.begin(Phase::kAllreduce, step);
    if (sync) {
      sync->finish();
      for (const auto& t : sync->timings()) monitor.span("allreduce", step, t.start, t.end);
    }
    comm.allreduce_sum(stats, 4);
    monitor.begin(Phase::kOptimizer, step);
    const double global_n = stats[1];
    bool finite = stats[3] == 0.0;
    double grad_norm = 0.0;
    if (finite && dp) {
      // Noise even for an empty batch: the accountant counts every step.
      noise_and_average(*dp, noise_key, step, model.param_slices(), grads, model.num_params());
      grad_norm = clip_grad_norm(grads, model.num_params(), 0.0f);  // 0: only measures
      finite = std::isfinite(grad_norm);
    } else if (finite && global_n > 0) {
      const float inv = static_cast<float>(1.0 / global_n);
      for (size_t i = 0; i < model.num_params(); ++i) grads[i] *= inv;
      grad_norm = clip_grad_norm(grads, model.num_params(), cfg.clip_norm);
      finite = std::isfinite(grad_norm);  // the same reduced gradients on every rank
    }
    if (!finite) {
      // All ranks see the same sums, so they take this branch together.
      const int64_t first_bad =
          comm.allreduce_min(local_bad ? int64_t{comm.rank()} : int64_t{comm.size()});
      IMINE_CHECK(cfg.skip_nonfinite)
          << "non-finite " << (stats[3] > 0 ? "loss" : "gradient") << " at step " << step
          << (stats[3] > 0 ? " on rank " + std::to_string(first_bad) : std::string())
          << "; nothing was written for this step (lower --lr, or --skip-nonfinite)";
      if (root) IMINE_LOG() << "step " << step << ": non-finite loss or gradient, skipped";
    } else if (global_n > 0 || dp) {
      opt->step(model.params().params(), grads, model.num_params(), schedule.lr_at(step));
      if (global_n > 0) last_loss = stats[0] / global_n;
    }
    prefetch->release();
    monitor.end_step(step);
    ++step;
    samples_since += static_cast<int64_t>(global_n);
    epoch_samples += global_n;
    if (step % steps_epoch == 0) {
      if (root)
        IMINE_LOG() << "epoch " << epoch << ": " << static_cast<int64_t>(epoch_samples)
                    << " samples"
                    << (epoch * steps_epoch < first_step ? " (resumed mid-epoch)" : "");
      epoch_samples = 0;
    }
    if (finite) {
      loss_sum_window += stats[0];
      loss_n_window += global_n;
    }

    if (cfg.checksum_every > 0 && step % cfg.checksum_every == 0) {
      IMINE_CHECK(comm.all_equal(param_checksum(model)))
          << "model parameters differ between ranks at step " << step;
    }
    if (root && seconds_since(t_progress) >= cfg.progress_seconds) {
      const double el = seconds_since(t_loop) - eval_seconds;
      const double sps = samples_since / std::max(el, 1e-9);
      const double eta = (last_step - step) * el / std::max<int64_t>(1, step - first_step);
      IMINE_LOG() << "epoch " << epoch << " step " << step << "/" << last_step << " loss "
                  << loss_sum_window / std::max(1.0, loss_n_window) << " samples/s "
                  << static_cast<int64_t>(sps) << " eta " << static_cast<int64_t>(eta) << " s";
      loss_sum_window = loss_n_window = 0;
      t_progress = Clock::now();
    }
    if ((cfg.eval_every > 0 && step % cfg.eval_every == 0) || step == last_step) {
      evaluate_and_checkpoint(step);
    }
    if (stats[2] > 0) {
      // Preemption: every rank saw the same count, so all stop at this step together.
      if (last_saved != step) evaluate_and_checkpoint(step);
      if (root)
        IMINE_LOG() << "stop requested (signal) on " << stats[2] << " rank(s): checkpointed at "
                    << "step " << step << ", exiting for a requeue";
      summary.stopped_on_request = true;
      break;
    }
  }

  prefetch.reset();  // joins the thread before the data it reads goes away
  summary.steps = step;
  summary.last_checkpoint = ckdir.path_for_step(last_saved >= 0 ? last_saved : step);
  if (!cfg.trace.empty()) monitor.write_trace(cfg.trace);
  if (cfg.write_labels && !summary.stopped_on_request) {
    enter_phase(Phase::kLabels, step);
    LabelJob job;
    job.out = cfg.out + "/labels.h5";
    job.k = cfg.label_k;
    job.checkpoint_path = summary.last_checkpoint;
    job.checkpoint_step = step;
    write_labels(job, data->source, model, loss, data->norm, data->features.config(),
                 data->selection, data->item_idf, comm);
    summary.labels = job.out;
  }
  enter_phase(Phase::kDone, step);
  if (root) IMINE_LOG() << "done: " << step << " steps in " << seconds_since(t_start) << " s";
  return summary;
}

}  // namespace imine

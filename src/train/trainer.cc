#include "imine/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>

#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/eval/baselines.h"
#include "imine/features/feature_selection.h"
#include "imine/features/item_features.h"
#include "imine/features/normalizer.h"
#include "imine/label/labeler.h"
#include "imine/nn/clip.h"
#include "imine/nn/loss.h"
#include "imine/nn/model.h"
#include "imine/nn/schedule.h"
#include "imine/train/checkpoint.h"
#include "imine/train/epoch_order.h"
#include "imine/train/examples.h"
#include "imine/train/model_io.h"
#include "imine/train/validator.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/log.h"
#include "imine/util/phase.h"

namespace imine {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

FeatureConfig feature_config_for(const TrainConfig& cfg, const DatasetSource& src) {
  FeatureConfig fc;
  fc.half_life_days = cfg.half_life_days;
  // Recency is measured back from the cutoff when there is one, else from the end of the data.
  fc.t_ref = cfg.split.mode == SplitMode::kCutoff ? cfg.split.cutoff : src.time_max();
  fc.event_types = src.event_types();
  fc.attribute_cardinalities = src.attribute_cardinalities();
  fc.attribute_names = src.attribute_names();
  return fc;
}

// Full-row columns of the wide path's blocks.
std::vector<int> wide_columns(const std::string& wide, const FeatureExtractor& fx) {
  std::vector<int> cols;
  const int C = static_cast<int>(fx.num_categories());
  if (wide == "all") {
    for (size_t i = 0; i < fx.dim(); ++i) cols.push_back(static_cast<int>(i));
  } else if (wide == "hist" || wide == "hist+recency") {
    for (int c = 0; c < C; ++c) cols.push_back(static_cast<int>(fx.hist_offset()) + c);
    if (wide == "hist+recency")
      for (int c = 0; c < C; ++c) cols.push_back(static_cast<int>(fx.recency_offset()) + c);
  } else {
    IMINE_CHECK(wide == "none") << "--wide '" << wide
                                << "' is not one of none, hist, hist+recency, all";
  }
  return cols;
}

// Positions of `columns` (full-row indices) within the ascending `selection`.
std::vector<int> positions_in(const std::vector<int>& selection, const std::vector<int>& columns) {
  std::vector<int> out;
  for (int c : columns) {
    auto it = std::lower_bound(selection.begin(), selection.end(), c);
    IMINE_CHECK(it != selection.end() && *it == c) << "wide column " << c << " was not selected";
    out.push_back(static_cast<int>(it - selection.begin()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t param_checksum(const Model& model) {
  Checksum64 c;
  c.update_array(model.params().params(), model.params().size());
  return c.value();
}

// Rank 0 only: one JSON line per evaluation.
std::string metrics_json(int64_t step, int64_t epoch, double samples_per_s, double loss,
                         const EvalResult& r) {
  std::ostringstream o;
  o.precision(6);
  o << "{\"step\":" << step << ",\"epoch\":" << epoch << ",\"samples_per_s\":" << samples_per_s
    << ",\"train_loss\":" << (std::isfinite(loss) ? loss : 0.0) << ",\"val_users\":" << r.users
    << "," << to_json_fields(r.model, "model") << "," << to_json_fields(r.pop, "pop") << ","
    << to_json_fields(r.hist, "hist") << "}";
  return o.str();
}

struct Batch {
  Eigen::MatrixXf x, y, dlogits;
  SparseBatch items;
  std::vector<uint64_t> keys;
};

void fill_batch(const ExampleSet& set, const uint32_t* idx, size_t n, Batch* b) {
  const size_t dim = set.dim, C = set.num_categories;
  b->x.resize(static_cast<Eigen::Index>(dim), static_cast<Eigen::Index>(n));
  b->y.resize(static_cast<Eigen::Index>(C), static_cast<Eigen::Index>(n));
  b->keys.resize(n);
  b->items.clear();
  for (size_t j = 0; j < n; ++j) {
    const size_t i = idx[j];
    if (set.items.size() == set.size()) {
      const uint64_t at = set.items.offsets[i];
      b->items.append(set.items.index.data() + at, set.items.value.data() + at, set.items.nnz(i));
    }
    std::copy(set.row(i), set.row(i) + dim, b->x.data() + j * dim);
    const uint8_t* t = set.targets.data() + i * C;
    for (size_t c = 0; c < C; ++c) b->y(static_cast<Eigen::Index>(c), j) = t[c];
    b->keys[j] = set.ids[i];
  }
}

}  // namespace

TrainSummary run_training(const TrainConfig& cfg, const Communicator& comm) {
  const bool root = comm.is_root();
  auto t_start = Clock::now();
  enter_phase(Phase::kRead, 0);
  DatasetSource src(cfg.data, comm.rank(), comm.size());
  FeatureExtractor fx(src.catalog(), feature_config_for(cfg, src));
  LocalExamples ex = load_examples(src, fx, cfg.split, cfg.split_key, cfg.val_fraction,
                                   cfg.test_fraction, cfg.item_buckets);

  // Global counts: users per subset and skipped users per reason.
  std::vector<int64_t> counts = {
      static_cast<int64_t>(ex.train.size()), static_cast<int64_t>(ex.validation.size()),
      static_cast<int64_t>(ex.test.size()), ex.users_read, ex.events_read};
  counts.insert(counts.end(), ex.skipped.begin(), ex.skipped.end());
  comm.allreduce_sum(counts.data(), counts.size());
  const int64_t n_train = counts[0];
  if (root) {
    std::ostringstream s;
    s << "read " << counts[3] << " users, " << counts[4] << " events in " << seconds_since(t_start)
      << " s; train " << counts[0] << ", validation " << counts[1] << ", test " << counts[2]
      << "; skipped:";
    for (int r = 1; r < kNumSkipReasons; ++r)
      s << " " << skip_reason_name(static_cast<SkipReason>(r)) << "=" << counts[5 + r];
    s << "; " << fx.dim() << " features, " << fx.num_categories() << " categories";
    IMINE_LOG() << s.str();
  }
  IMINE_CHECK(n_train > 0) << cfg.data << ": no training users (every user was skipped or "
                           << "held out); check --target-fraction / --cutoff";

  // Feature normalisation over all training rows of all ranks, and category popularity.
  NormStats norm(fx.dim());
  for (size_t i = 0; i < ex.train.size(); ++i) norm.add(ex.train.row(i));
  std::vector<double> raw = norm.raw();
  comm.allreduce_sum(raw.data(), raw.size());
  norm.set_raw(raw);
  norm.finalize();
  const size_t C = fx.num_categories();
  std::vector<double> target_counts(C, 0.0);
  count_targets(ex.train.targets.data(), ex.train.size(), C, target_counts.data());
  comm.allreduce_sum(target_counts.data(), C);
  std::vector<float> popularity = popularity_from_counts(target_counts, double(n_train));

  // Feature selection by mutual information with the targets (count tables summed over ranks);
  // the ranking is always reported, the wide path's columns are always kept.
  const std::vector<int> wide_full = wide_columns(cfg.wide, fx);
  std::vector<int> selection;
  {
    MutualInfoCounts mi(fx.dim(), C);
    std::vector<float> z(fx.dim());
    for (size_t i = 0; i < ex.train.size(); ++i) {
      std::copy(ex.train.row(i), ex.train.row(i) + fx.dim(), z.begin());
      norm.apply(z.data());
      mi.add(z.data(), ex.train.targets.data() + i * C);
    }
    std::vector<double> table = mi.raw();
    comm.allreduce_sum(table.data(), table.size());
    mi.set_raw(table);
    const std::vector<double> mi_table = mi.mutual_information();
    const std::vector<int> always = cfg.wide == "all" ? std::vector<int>{} : wide_full;
    FeatureRanking ranking =
        rank_features(mi_table, fx.dim(), C, static_cast<size_t>(cfg.select_features), always);
    if (ranking.selected.size() < fx.dim()) selection = ranking.selected;
    if (root) {
      make_dirs(cfg.out);
      AtomicOutput report(cfg.out + "/feature-report.json");
      std::ofstream(report.temp_path()) << feature_report_json(
          ranking, mi_table, fx.feature_names(), src.catalog().category_names);
      report.commit();
    }
  }
  std::vector<int> all_columns(fx.dim());
  std::iota(all_columns.begin(), all_columns.end(), 0);
  const std::vector<int>& used = selection.empty() ? all_columns : selection;
  const size_t dim = used.size();
  if (!selection.empty()) {
    std::vector<double> mean, stddev;
    for (int c : selection) {
      mean.push_back(norm.mean()[c]);
      stddev.push_back(norm.stddev()[c]);
    }
    NormStats selected(dim);
    selected.restore(mean, stddev);
    norm = std::move(selected);
    for (ExampleSet* set : {&ex.train, &ex.validation}) select_columns(set, selection);
    if (root)
      IMINE_LOG() << "kept " << dim << " of " << fx.dim() << " features (--select-features)";
  }

  // Item IDF over the training users of all ranks.
  std::vector<double> item_idf;
  if (cfg.item_buckets > 0) {
    std::vector<double> df(cfg.item_buckets, 0.0);
    add_document_frequency(ex.train.items, df.data());
    comm.allreduce_sum(df.data(), df.size());
    item_idf = idf_from_counts(df, double(n_train));
  }

  // Model, replicated: rank 0 initialises and broadcasts.
  ModelSpec spec;
  spec.input_dim = static_cast<int>(dim);
  spec.hidden = cfg.hidden;
  spec.output_dim = static_cast<int>(C);
  spec.dropout = cfg.dropout;
  spec.sparse_dim = static_cast<int>(cfg.item_buckets);
  spec.wide_inputs = positions_in(used, wide_full);
  spec.wide_sparse = cfg.wide_items;
  Model model(spec);
  if (root) model.init(cfg.seed);
  comm.broadcast(model.params().params(), model.num_params() * sizeof(float));
  Loss loss = Loss::from_name(cfg.loss);
  OptimizerConfig oc = cfg.optimizer;
  std::unique_ptr<Optimizer> opt = make_optimizer(oc, model.num_params());
  const int64_t steps_epoch = steps_per_epoch(n_train, cfg.batch_size);
  const int64_t total_steps = steps_epoch * cfg.epochs;
  ScheduleConfig sc;
  sc.lr = cfg.lr;
  sc.warmup_steps = std::min(cfg.warmup_steps, total_steps);
  sc.total_steps = total_steps;
  sc.min_lr_ratio = cfg.min_lr_ratio;
  LrSchedule schedule(sc);
  const int64_t last_step = cfg.max_steps > 0 ? std::min(cfg.max_steps, total_steps) : total_steps;

  CheckpointDir ckdir(cfg.out + "/checkpoints", cfg.keep_checkpoints);
  int64_t step = 0;
  double best = -1.0;
  {
    // Rank 0 picks the checkpoint and broadcasts its path so every rank resumes from one file.
    std::string path;
    if (root && !cfg.resume.empty()) {
      if (cfg.resume == "auto") {
        auto p = ckdir.newest_valid();
        if (p) path = *p;
      } else {
        path = cfg.resume;
      }
    }
    comm.broadcast(&path);
    if (!path.empty()) {
      Checkpoint c = read_checkpoint(path);
      IMINE_CHECK(model_spec_of(c) == spec)
          << path << ": checkpoint model " << model_spec_of(c).describe()
          << " does not match this run's " << spec.describe();
      IMINE_CHECK(std::equal(c.feature_selection.begin(), c.feature_selection.end(),
                             selection.begin(), selection.end()))
          << path << ": the checkpoint's feature selection differs from this run's";
      load_params(c, &model);
      load_optimizer(c, model, opt.get());
      norm.restore(c.norm_mean, c.norm_std);
      if (!c.item_idf.empty()) item_idf = c.item_idf;
      step = c.step;
      if (!c.best_metric_name.empty()) best = c.best_metric;
      if (root) IMINE_LOG() << "resuming from " << path << " at step " << step;
    } else if (root && cfg.resume == "auto") {
      IMINE_LOG() << "--resume auto: no checkpoint in " << ckdir.dir() << ", starting fresh";
    }
  }
  normalise_rows(&ex.train, norm);
  normalise_rows(&ex.validation, norm);
  if (!item_idf.empty()) {
    apply_tfidf(item_idf, &ex.train.items);
    apply_tfidf(item_idf, &ex.validation.items);
  }
  Validator validator(ex.validation, popularity, cfg.top_k, cfg.val_max_users, cfg.split_key, comm);
  if (root) {
    make_dirs(cfg.out);
    IMINE_LOG() << "model " << spec.describe() << ", " << model.num_weights() << " parameters; "
                << steps_epoch << " steps per epoch, " << last_step << " steps to run, global "
                << "batch about " << cfg.batch_size << " on " << comm.size() << " ranks";
  }

  EpochOrder order(ex.train.ids, cfg.seed, steps_epoch);
  Batch batch;
  TrainingState state{
      &model,           opt.get(),        &norm,    &fx,        src.catalog().category_names,
      popularity,       cfg.loss,         0,        0,          cfg.seed,
      cfg.config_ini,   selection,        item_idf, &cfg.split, cfg.split_key,
      cfg.val_fraction, cfg.test_fraction};
  std::string last_ckpt;
  auto t_loop = Clock::now(), t_progress = Clock::now();
  int64_t samples_since = 0, first_step = step;
  double loss_sum_window = 0, loss_n_window = 0, last_loss = NAN;

  auto evaluate_and_checkpoint = [&](int64_t at_step) {
    enter_phase(Phase::kValidate, at_step);
    EvalResult r = validator.evaluate(model, loss);
    state.step = at_step;
    state.epoch = at_step / steps_epoch;
    if (!root) return;  // everything below is rank-0 output, no collectives
    double sps = double(samples_since) / std::max(1e-9, seconds_since(t_loop));
    std::printf("\nvalidation at step %lld (epoch %lld, %lld users)\n%s",
                static_cast<long long>(at_step), static_cast<long long>(state.epoch),
                static_cast<long long>(r.users),
                metrics_table({{"model", r.model}, {"pop", r.pop}, {"hist", r.hist}}).c_str());
    std::fflush(stdout);
    std::ofstream(cfg.out + "/metrics.jsonl", std::ios::app)
        << metrics_json(at_step, state.epoch, sps, last_loss, r) << "\n";
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
    ckdir.save(c, is_best);
    last_ckpt = ckdir.path_for_step(at_step);
  };

  int64_t current_epoch = -1;
  while (step < last_step) {
    const int64_t epoch = step / steps_epoch, s = step % steps_epoch;
    if (epoch != current_epoch) {
      order.start_epoch(epoch);
      current_epoch = epoch;
    }
    enter_phase(Phase::kFeatures, step);
    const size_t n = order.step_size(s);
    fill_batch(ex.train, order.step_begin(s), n, &batch);
    model.params().zero_grads();
    double stats[2] = {0.0, static_cast<double>(n)};
    if (n > 0) {
      ForwardContext ctx;
      ctx.training = true;
      ctx.seed = cfg.seed;
      ctx.step = static_cast<uint64_t>(step);
      ctx.sample_keys = batch.keys.data();
      enter_phase(Phase::kForward, step);
      const Eigen::MatrixXf& logits =
          model.forward(batch.x, spec.sparse_dim > 0 ? &batch.items : nullptr, ctx);
      stats[0] = loss.loss_sum(logits, batch.y, &batch.dlogits);
      enter_phase(Phase::kBackward, step);
      model.backward(batch.dlogits);
    }
    float* grads = model.params().grads();
    enter_phase(Phase::kAllreduce, step);
    comm.allreduce_sum(grads, model.num_params());
    comm.allreduce_sum(stats, 2);
    const double global_n = stats[1];
    last_loss = global_n > 0 ? stats[0] / global_n : NAN;
    IMINE_CHECK(global_n == 0 || std::isfinite(last_loss))
        << "training loss is not finite at step " << step << " (lower --lr?)";
    enter_phase(Phase::kOptimizer, step);
    if (global_n > 0) {
      const float inv = static_cast<float>(1.0 / global_n);
      for (size_t i = 0; i < model.num_params(); ++i) grads[i] *= inv;
      clip_grad_norm(grads, model.num_params(), cfg.clip_norm);
      opt->step(model.params().params(), grads, model.num_params(), schedule.lr_at(step));
    }
    ++step;
    samples_since += static_cast<int64_t>(global_n);
    loss_sum_window += stats[0];
    loss_n_window += global_n;

    if (cfg.checksum_every > 0 && step % cfg.checksum_every == 0) {
      IMINE_CHECK(comm.all_equal(param_checksum(model)))
          << "model parameters differ between ranks at step " << step;
    }
    if (root && seconds_since(t_progress) >= cfg.progress_seconds) {
      const double el = seconds_since(t_loop);
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
  }

  TrainSummary summary;
  summary.steps = step;
  summary.last_checkpoint = ckdir.path_for_step(step);
  if (cfg.write_labels) {
    enter_phase(Phase::kLabels, step);
    LabelJob job;
    job.out = cfg.out + "/labels.h5";
    job.k = cfg.label_k;
    job.checkpoint_path = summary.last_checkpoint;
    job.checkpoint_step = step;
    write_labels(job, src, model, loss, norm, fx.config(), selection, item_idf, comm);
    summary.labels = job.out;
  }
  if (root) IMINE_LOG() << "done: " << step << " steps in " << seconds_since(t_start) << " s";
  return summary;
}

}  // namespace imine

#include "imine/train/training_data.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numeric>
#include <sstream>

#include "imine/dist/communicator.h"
#include "imine/eval/baselines.h"
#include "imine/features/feature_selection.h"
#include "imine/features/item_features.h"
#include "imine/train/checkpoint.h"
#include "imine/train/validator.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"
#include "imine/util/phase.h"

namespace imine {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
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

// The validation users evaluated, as load_examples would have kept them (raw rows, evaluation
// fields), sampled to at most about --val-max-users over all ranks.
ExampleSet sampled_validation(const RowStore& rows, int64_t global_users, const TrainConfig& cfg,
                              const FeatureExtractor& fx) {
  const size_t C = fx.num_categories();
  ExampleSet set;
  set.dim = fx.dim();
  set.num_categories = C;
  const bool items = cfg.item_buckets > 0;
  const double keep = Validator::keep_fraction(global_users, cfg.val_max_users);
  rows.scan([&](size_t, const StoredRow& r) {
    if (!Validator::keeps(r.id, keep, cfg.split_key)) return;
    set.ids.push_back(r.id);
    set.features.insert(set.features.end(), r.features.begin(), r.features.end());
    set.targets.insert(set.targets.end(), r.targets.begin(), r.targets.end());
    set.input_present.insert(set.input_present.end(), r.input_present.begin(),
                             r.input_present.end());
    const float* hist = r.features.data() + fx.hist_offset();
    set.hist.insert(set.hist.end(), hist, hist + C);
    if (items) {
      set.items.index.insert(set.items.index.end(), r.item_index.begin(), r.item_index.end());
      set.items.value.insert(set.items.value.end(), r.item_count.begin(), r.item_count.end());
      set.items.offsets.push_back(set.items.index.size());
    }
  });
  return set;
}

}  // namespace

TrainingData::TrainingData(const std::string& dir, int rank, int size, const TrainConfig& cfg)
    : source(dir, rank, size), features(source.catalog(), feature_config_for(cfg, source)) {}

std::unique_ptr<TrainingData> load_training_data(const TrainConfig& cfg, const Communicator& comm,
                                                 const Checkpoint* from) {
  const bool root = comm.is_root();
  auto t_start = std::chrono::steady_clock::now();
  enter_phase(Phase::kRead, 0);
  auto data = std::make_unique<TrainingData>(cfg.data, comm.rank(), comm.size(), cfg);
  const DatasetSource& src = data->source;
  FeatureExtractor& fx = data->features;
  const size_t C = fx.num_categories();
  const std::string scratch = cfg.scratch_dir.empty() ? cfg.out : cfg.scratch_dir;
  make_dirs(scratch);
  const auto memory = static_cast<size_t>(cfg.scratch_memory_mb * 1024 * 1024);
  data->train_rows = std::make_unique<RowStore>(scratch, fx.dim(), C, false, memory);
  RowStore& train = *data->train_rows;
  RowStore val_rows(scratch, fx.dim(), C, true, memory);
  const LocalExamples ex = for_each_example_chunk(
      src, fx, cfg.split, cfg.split_key, cfg.val_fraction, cfg.test_fraction, cfg.item_buckets,
      [&](LocalExamples& part) {
        for (auto [set, store] : {std::pair{&part.train, &train}, {&part.validation, &val_rows}}) {
          const bool items = set->items.size() == set->size();
          for (size_t i = 0; i < set->size(); ++i) {
            const uint64_t at = items ? set->items.offsets[i] : 0;
            store->append(set->ids[i], set->row(i), set->targets.data() + i * C,
                          set->input_present.empty() ? nullptr : set->input_present.data() + i * C,
                          items ? set->items.index.data() + at : nullptr,
                          items ? set->items.value.data() + at : nullptr,
                          items ? set->items.nnz(i) : 0);
          }
        }
      });
  train.finish();
  val_rows.finish();

  // Global counts: users per subset and skipped users per reason.
  std::vector<int64_t> counts = {static_cast<int64_t>(train.size()),
                                 static_cast<int64_t>(val_rows.size()), ex.test_users,
                                 ex.users_read, ex.events_read};
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

  // One sequential pass over the stored rows, in extraction order (the sums are the same as
  // over the rows in memory): feature normalisation, category popularity, item document
  // frequencies.
  NormStats norm(fx.dim());
  std::vector<double> target_counts(C, 0.0);
  std::vector<double> df(cfg.item_buckets, 0.0);
  train.scan([&](size_t, const StoredRow& r) {
    norm.add(r.features.data());
    count_targets(r.targets.data(), 1, C, target_counts.data());
    for (uint32_t b : r.item_index) {
      IMINE_CHECK(b < df.size()) << "item bucket " << b << " outside --item-buckets " << df.size();
      df[b] += 1.0;
    }
  });
  std::vector<double> raw = norm.raw();
  comm.allreduce_sum(raw.data(), raw.size());
  norm.set_raw(raw);
  norm.finalize();
  comm.allreduce_sum(target_counts.data(), C);
  std::vector<float> popularity = popularity_from_counts(target_counts, double(n_train));

  // Feature selection by mutual information with the targets (count tables summed over ranks);
  // the ranking is always reported, the wide path's columns are always kept.
  const std::vector<int> wide_full = wide_columns(cfg.wide, fx);
  std::vector<int> selection;
  if (from != nullptr) {
    // Resuming or fine-tuning: keep the checkpoint's columns so the model sees what it learnt on.
    selection.assign(from->feature_selection.begin(), from->feature_selection.end());
    for (int c : selection)
      IMINE_CHECK(c >= 0 && static_cast<size_t>(c) < fx.dim())
          << "checkpoint selects feature " << c << " of " << fx.dim();
  } else {
    // A second pass: the bins need the global normalisation.
    MutualInfoCounts mi(fx.dim(), C);
    std::vector<float> z(fx.dim());
    train.scan([&](size_t, const StoredRow& r) {
      std::copy(r.features.begin(), r.features.end(), z.begin());
      norm.apply(z.data());
      mi.add(z.data(), r.targets.data());
    });
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
    if (root)
      IMINE_LOG() << "kept " << dim << " of " << fx.dim() << " features (--select-features)";
  }

  // Item IDF over the training users of all ranks.
  std::vector<double> item_idf;
  if (cfg.item_buckets > 0) {
    comm.allreduce_sum(df.data(), df.size());
    item_idf = idf_from_counts(df, double(n_train));
  }

  data->norm = std::move(norm);
  data->popularity = std::move(popularity);
  // Before selection is moved from: `used` may refer to it.
  data->wide_inputs = positions_in(used, wide_full);
  data->selection = std::move(selection);
  data->item_idf = std::move(item_idf);
  data->num_train = n_train;
  data->dim = dim;
  if (from != nullptr) {
    // The checkpoint's statistics, not this data's: a resumed run continues bitwise and a
    // fine-tuned model sees its inputs scaled as in training.
    data->norm.restore(from->norm_mean, from->norm_std);
    if (!from->item_idf.empty()) data->item_idf = from->item_idf;
  }
  data->validation = sampled_validation(val_rows, counts[1], cfg, fx);
  ExampleSet& val = data->validation;
  select_columns(&val, data->selection);
  normalise_rows(&val, data->norm);
  if (!data->item_idf.empty()) apply_tfidf(data->item_idf, &val.items);
  return data;
}

}  // namespace imine

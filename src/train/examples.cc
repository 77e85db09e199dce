#include "imine/train/examples.h"

#include "imine/data/dataset_source.h"
#include "imine/util/error.h"

namespace imine {

namespace {

void append_example(ExampleSet* set, FeatureExtractor& fx, const UserChunk& chunk, size_t u,
                    const TimeSplit& split, bool for_eval, uint32_t item_buckets,
                    std::vector<uint32_t>* scratch) {
  if (item_buckets > 0)
    append_item_counts(chunk, u, split.input, item_buckets, scratch, &set->items);
  const size_t dim = fx.dim(), C = fx.num_categories();
  set->ids.push_back(chunk.user_ids[u]);
  set->features.resize(set->features.size() + dim);
  float* row = set->features.data() + set->features.size() - dim;
  fx.extract(chunk, u, split.input, row);
  set->targets.resize(set->targets.size() + C);
  fx.targets(chunk, u, split.target, set->targets.data() + set->targets.size() - C);
  if (for_eval) {
    set->input_present.resize(set->input_present.size() + C);
    fx.input_categories(chunk, u, split.input,
                        set->input_present.data() + set->input_present.size() - C);
    set->hist.insert(set->hist.end(), row + fx.hist_offset(), row + fx.hist_offset() + C);
  }
}

// Routes user u of `chunk` to its subset of `out` (test users only when keep_test).
void add_user(LocalExamples* out, FeatureExtractor& fx, const UserChunk& chunk, size_t u,
              const TimeSplitConfig& split_config, uint64_t split_key, double val_fraction,
              double test_fraction, uint32_t item_buckets, bool eval_fields_for_train,
              bool keep_test, std::vector<uint32_t>* scratch) {
  TimeSplit split = split_user(chunk, u, split_config);
  if (!split.ok()) {
    out->skipped[static_cast<int>(split.skip)]++;
    return;
  }
  switch (subset_of(chunk.user_ids[u], split_key, val_fraction, test_fraction)) {
    case Subset::kTrain:
      append_example(&out->train, fx, chunk, u, split, eval_fields_for_train, item_buckets,
                     scratch);
      break;
    case Subset::kValidation:
      append_example(&out->validation, fx, chunk, u, split, true, item_buckets, scratch);
      break;
    case Subset::kTest:
      if (keep_test) {
        append_example(&out->test, fx, chunk, u, split, true, item_buckets, scratch);
      } else {
        out->test_users++;
      }
      break;
  }
}

void init_sets(LocalExamples* out, const FeatureExtractor& fx) {
  for (ExampleSet* set : {&out->train, &out->validation, &out->test}) {
    set->dim = fx.dim();
    set->num_categories = fx.num_categories();
  }
}

}  // namespace

LocalExamples load_examples(const DatasetSource& source, FeatureExtractor& fx,
                            const TimeSplitConfig& split_config, uint64_t split_key,
                            double val_fraction, double test_fraction, uint32_t item_buckets,
                            bool eval_fields_for_train) {
  split_config.validate();
  LocalExamples out;
  std::vector<uint32_t> scratch;
  init_sets(&out, fx);
  source.for_each_chunk([&](const UserChunk& chunk) {
    out.users_read += static_cast<int64_t>(chunk.num_users());
    out.events_read += static_cast<int64_t>(chunk.num_events());
    for (size_t u = 0; u < chunk.num_users(); ++u) {
      add_user(&out, fx, chunk, u, split_config, split_key, val_fraction, test_fraction,
               item_buckets, eval_fields_for_train, true, &scratch);
    }
  });
  return out;
}

LocalExamples for_each_example_chunk(const DatasetSource& source, FeatureExtractor& fx,
                                     const TimeSplitConfig& split_config, uint64_t split_key,
                                     double val_fraction, double test_fraction,
                                     uint32_t item_buckets,
                                     const std::function<void(LocalExamples&)>& fn) {
  split_config.validate();
  LocalExamples totals, part;
  std::vector<uint32_t> scratch;
  source.for_each_chunk([&](const UserChunk& chunk) {
    part = LocalExamples();
    init_sets(&part, fx);
    totals.users_read += static_cast<int64_t>(chunk.num_users());
    totals.events_read += static_cast<int64_t>(chunk.num_events());
    for (size_t u = 0; u < chunk.num_users(); ++u) {
      add_user(&part, fx, chunk, u, split_config, split_key, val_fraction, test_fraction,
               item_buckets, false, false, &scratch);
    }
    for (int r = 0; r < kNumSkipReasons; ++r) totals.skipped[r] += part.skipped[r];
    totals.test_users += part.test_users;
    fn(part);
  });
  return totals;
}

void select_columns(ExampleSet* set, const std::vector<int>& selection) {
  if (selection.empty()) return;
  const size_t dim = set->dim, k = selection.size();
  for (int c : selection) {
    IMINE_CHECK(c >= 0 && static_cast<size_t>(c) < dim)
        << "feature selection: column " << c << " outside rows of " << dim;
  }
  // Ascending selection: writing row i's k values never overtakes reading row i (k <= dim).
  for (size_t i = 0; i < set->size(); ++i) {
    const float* src = set->features.data() + i * dim;
    float* dst = set->features.data() + i * k;
    for (size_t j = 0; j < k; ++j) dst[j] = src[selection[j]];
  }
  set->features.resize(set->size() * k);
  set->features.shrink_to_fit();
  set->dim = k;
}

void normalise_rows(ExampleSet* set, const NormStats& norm) {
  for (size_t i = 0; i < set->size(); ++i) norm.apply(set->row(i));
}

}  // namespace imine

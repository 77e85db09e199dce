#include "imine/train/examples.h"

#include "imine/data/dataset_source.h"

namespace imine {

namespace {

void append_example(ExampleSet* set, FeatureExtractor& fx, const UserChunk& chunk, size_t u,
                    const TimeSplit& split, bool for_eval) {
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

}  // namespace

LocalExamples load_examples(const DatasetSource& source, FeatureExtractor& fx,
                            const TimeSplitConfig& split_config, uint64_t split_key,
                            double val_fraction, double test_fraction) {
  split_config.validate();
  LocalExamples out;
  for (ExampleSet* set : {&out.train, &out.validation, &out.test}) {
    set->dim = fx.dim();
    set->num_categories = fx.num_categories();
  }
  source.for_each_chunk([&](const UserChunk& chunk) {
    out.users_read += static_cast<int64_t>(chunk.num_users());
    out.events_read += static_cast<int64_t>(chunk.num_events());
    for (size_t u = 0; u < chunk.num_users(); ++u) {
      TimeSplit split = split_user(chunk, u, split_config);
      if (!split.ok()) {
        out.skipped[static_cast<int>(split.skip)]++;
        continue;
      }
      switch (subset_of(chunk.user_ids[u], split_key, val_fraction, test_fraction)) {
        case Subset::kTrain:
          append_example(&out.train, fx, chunk, u, split, false);
          break;
        case Subset::kValidation:
          append_example(&out.validation, fx, chunk, u, split, true);
          break;
        case Subset::kTest:
          append_example(&out.test, fx, chunk, u, split, true);
          break;
      }
    }
  });
  return out;
}

}  // namespace imine

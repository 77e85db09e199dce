// imine eval: the metric table of a checkpoint on one subset of a dataset, beside the POP and
// HIST baselines, distributed like validation (every rank scores its users, rank 0 computes).
#include <cstdio>
#include <sstream>

#include "imine/cli/commands.h"
#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/eval/metrics.h"
#include "imine/features/normalizer.h"
#include "imine/train/checkpoint.h"
#include "imine/train/examples.h"
#include "imine/train/model_io.h"
#include "imine/train/validator.h"
#include "imine/util/error.h"

namespace imine {

OptionTable eval_options() {
  OptionTable t("eval",
                "Evaluate a checkpoint on the train, validation or test users of a dataset, "
                "beside the POP and HIST baselines");
  t.add_path("checkpoint", "", "Checkpoint file (runs/X/checkpoints/ckpt-*.h5 or best.h5)")
      .required();
  t.add_path("data", "", "Dataset folder (the users are split as in the training run)").required();
  t.add_string("split", "test", "Which users to evaluate").choices({"train", "validation", "test"});
  t.add_int("k", 3, "Cut-off k of Precision/Recall/NDCG@k").range(1, 1000);
  t.add_int("max-users", 0, "Evaluate at most this many users, a keyed sample (0: all)")
      .at_least(0);
  t.add_bool("json", false, "Print one JSON line (model_*, pop_*, hist_* metrics) instead");
  return t;
}

int run_eval(const ParsedOptions& o, const std::vector<std::string>& positional,
             const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "eval: unexpected argument '" << positional[0] << "'";
  const std::string path = o.get_string("checkpoint"), data = o.get_string("data");
  const std::string split = o.get_string("split");
  TrainedModel t(read_checkpoint(path));
  const Checkpoint& c = t.checkpoint;
  Loss loss = Loss::from_name(t.loss_name);

  DatasetSource src(data, comm.rank(), comm.size());
  IMINE_CHECK(src.catalog().category_names == c.category_names)
      << data << ": categories differ from those of " << path;
  FeatureExtractor fx(src.catalog(), t.input.features);
  const uint32_t buckets = static_cast<uint32_t>(t.input.item_idf.size());
  LocalExamples ex = load_examples(src, fx, t.input.split, t.input.split_key, t.input.val_fraction,
                                   t.input.test_fraction, buckets, split == "train");
  ExampleSet& set = split == "train" ? ex.train : split == "validation" ? ex.validation : ex.test;
  for (int col : t.input.selection) {
    IMINE_CHECK(col >= 0 && static_cast<size_t>(col) < fx.dim())
        << data << ": selected feature " << col << " is outside the " << fx.dim()
        << " features of this dataset";
  }
  select_columns(&set, t.input.selection);
  IMINE_CHECK(set.dim == static_cast<size_t>(t.model.spec().input_dim))
      << data << ": this dataset gives " << set.dim << " features, " << path << " expects "
      << t.model.spec().input_dim;
  normalise_rows(&set, t.norm);
  if (buckets > 0) apply_tfidf(t.input.item_idf, &set.items);

  int64_t n = static_cast<int64_t>(set.size());
  comm.allreduce_sum(&n, 1);
  IMINE_CHECK(n > 0) << data << ": no " << split << " users to evaluate";
  std::vector<float> popularity(c.category_popularity.begin(), c.category_popularity.end());
  const int k = static_cast<int>(o.get_int("k"));
  Validator validator(set, popularity, k, o.get_int("max-users"), t.input.split_key, comm);
  EvalResult r = validator.evaluate(t.model, loss);
  if (comm.is_root()) {
    if (o.get_bool("json")) {
      std::ostringstream line;
      line.precision(6);
      line << "{\"checkpoint\":\"" << path << "\",\"split\":\"" << split
           << "\",\"users\":" << r.users << "," << to_json_fields(r.model, "model") << ","
           << to_json_fields(r.pop, "pop") << "," << to_json_fields(r.hist, "hist") << "}\n";
      std::fputs(line.str().c_str(), stdout);
    } else {
      std::printf("%s users: %lld (checkpoint %s, step %lld)\n%s", split.c_str(),
                  static_cast<long long>(r.users), path.c_str(), static_cast<long long>(c.step),
                  metrics_table({{"model", r.model}, {"pop", r.pop}, {"hist", r.hist}}).c_str());
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace imine

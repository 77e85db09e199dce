#include "imine/cli/commands.h"
#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/label/labeler.h"
#include "imine/label/policy.h"
#include "imine/train/checkpoint.h"
#include "imine/train/model_io.h"
#include "imine/train/posterior_head.h"
#include "imine/util/error.h"
#include "imine/util/phase.h"

namespace imine {

OptionTable label_options() {
  OptionTable t("label", "Score every user of a dataset with a trained model and write labels");
  t.add_path("checkpoint", "", "Checkpoint file (runs/X/checkpoints/ckpt-*.h5 or best.h5)")
      .required();
  t.add_path("data", "", "Dataset folder to label").required();
  t.add_path("out", "", "Labels file to write (HDF5, imine.labels)").required();
  t.add_int("k", 5, "Interest categories per user").range(1, 1000);
  t.add_int("batch-users", 8192, "Users per batch handed to rank 0").range(1, 1 << 24);
  t.add_path("dump-features", "",
             "Also write rank 0's normalised feature rows here (for check_checkpoint.py)");
  add_policy_options(&t);
  t.add_string("window", "all",
               "Events each user is scored from: all, or the training split's input window "
               "(labels for `imine eval-policy` against the target window)")
      .choices({"all", "input"});
  return t;
}

void add_policy_options(OptionTable* t) {
  t->add_string("policy", "greedy",
                "Explore/exploit policy filling the k slots (docs/explore-exploit.md)")
      .choices(policy_names());
  t->add_int("seed", 1, "Seed of the policy's draws, keyed by (seed, user id, slot)").at_least(0);
  t->add_float("explore-budget", 0.2,
               "Expected share of explore slots; when given, each policy's own knob is "
               "calibrated to it so policies compare at equal budget")
      .range(0, 1);
  t->add_int("explore-slots", 0,
             "Fixed number of explore slots at the end of each list (the rest greedy); the "
             "policy draws them without the greedy choice")
      .range(0, 1000);
  t->add_float("epsilon", 0.1, "epsilon policy: share of slots drawn uniformly").range(0, 1);
  t->add_float("temperature", 0.05, "softmax policy: temperature on the scores").range(0, 1e6);
  t->add_float("gamma", 100, "squarecb policy: exploitation strength gamma").range(0, 1e12);
  t->add_float("posterior-scale", 1.0,
               "thompson policy: scale of the posterior standard deviation in the draws")
      .range(0, 1e6);
  t->add_float("alpha", 1.0, "ucb policy: weight of the posterior standard deviation")
      .range(0, 1e6);
}

Policy policy_from_options(const ParsedOptions& o) {
  Policy p;
  p.kind = policy_kind(o.get_string("policy"));
  p.explore_slots = static_cast<int>(o.get_int("explore-slots"));
  switch (p.kind) {
    case PolicyKind::kGreedy:
      break;
    case PolicyKind::kEpsilon:
      p.knob = o.get_float("epsilon");
      break;
    case PolicyKind::kSoftmax:
      p.knob = o.get_float("temperature");
      break;
    case PolicyKind::kSquareCb:
      p.knob = o.get_float("gamma");
      break;
    case PolicyKind::kThompson:
      p.knob = o.get_float("posterior-scale");
      break;
    case PolicyKind::kUcb:
      p.knob = o.get_float("alpha");
      break;
  }
  IMINE_CHECK(!(o.was_set("explore-budget") && p.explore_slots > 0))
      << "options --explore-budget and --explore-slots are alternatives; give one of them";
  return p;
}

int run_label(const ParsedOptions& o, const std::vector<std::string>& positional,
              const Communicator& comm) {
  IMINE_CHECK(positional.empty()) << "label: unexpected argument '" << positional[0] << "'";
  LabelJob job;
  job.checkpoint_path = o.get_string("checkpoint");
  job.out = o.get_string("out");
  job.k = static_cast<int>(o.get_int("k"));
  job.batch_users = o.get_int("batch-users");
  job.dump_features = o.get_string("dump-features");
  job.policy = policy_from_options(o);
  job.seed = static_cast<uint64_t>(o.get_int("seed"));
  if (o.was_set("explore-budget")) job.explore_budget = o.get_float("explore-budget");
  TrainedModel t(read_checkpoint(job.checkpoint_path));
  const Checkpoint& c = t.checkpoint;
  job.checkpoint_step = c.step;
  Loss loss = Loss::from_name(t.loss_name);
  DatasetSource src(o.get_string("data"), comm.rank(), comm.size());
  IMINE_CHECK(src.catalog().category_names == c.category_names)
      << o.get_string("data") << ": categories differ from those of " << job.checkpoint_path;
  const InputSpec& in = t.input;
  PosteriorHead head = posterior_head_of(c);
  job.head = &head;
  if (o.get_string("window") == "input") job.window = in.split;
  enter_phase(Phase::kLabels, job.checkpoint_step);  // a fault point, as in train
  write_labels(job, src, t.model, loss, t.norm, in.features, in.selection, in.item_idf, comm);
  return 0;
}

}  // namespace imine

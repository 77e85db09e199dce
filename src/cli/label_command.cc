#include "imine/cli/commands.h"
#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/label/labeler.h"
#include "imine/train/checkpoint.h"
#include "imine/train/model_io.h"
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
  return t;
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
  Checkpoint c = read_checkpoint(job.checkpoint_path);
  job.checkpoint_step = c.step;
  Model model(model_spec_of(c));
  load_params(c, &model);
  NormStats norm(c.norm_mean.size());
  norm.restore(c.norm_mean, c.norm_std);
  Loss loss = Loss::from_name(loss_name_of(c));
  DatasetSource src(o.get_string("data"), comm.rank(), comm.size());
  IMINE_CHECK(src.catalog().category_names == c.category_names)
      << o.get_string("data") << ": categories differ from those of " << job.checkpoint_path;
  InputSpec in = input_spec_of(c);
  enter_phase(Phase::kLabels, job.checkpoint_step);  // a fault point, as in train
  write_labels(job, src, model, loss, norm, in.features, in.selection, in.item_idf, comm);
  return 0;
}

}  // namespace imine

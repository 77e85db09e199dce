// Checkpoints of Wide & Deep models: the optional datasets (feature selection, item IDF, sparse
// table, wide path) round-trip, are validated, and the packed optimizer state restores a model
// exactly (alignment padding included).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "imine/data/catalog.h"
#include "imine/features/feature_extractor.h"
#include "imine/features/normalizer.h"
#include "imine/nn/model.h"
#include "imine/nn/optimizer.h"
#include "imine/train/checkpoint.h"
#include "imine/train/model_io.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

namespace fs = std::filesystem;

// Catalog of 3 categories; features: hist[3] recency[3] activity[6] = 12 columns.
Catalog small_catalog() {
  Catalog c;
  c.category_names = {"a", "b", "c"};
  c.category_offsets = {0, 1, 2, 3};
  c.categories = {0, 1, 2};
  return c;
}

ModelSpec spec_for(int input_dim) {
  ModelSpec s;
  s.input_dim = input_dim;
  s.hidden = {5};  // 5-wide layers leave alignment padding between the slices
  s.output_dim = 3;
  s.sparse_dim = 9;
  s.wide_inputs = {0, 1, 2};
  s.wide_sparse = true;
  return s;
}

struct Fixture {
  Catalog catalog = small_catalog();
  FeatureExtractor fx{catalog, [] {
                        FeatureConfig fc;
                        fc.t_ref = 100;
                        return fc;
                      }()};
  std::vector<int> selection = {0, 1, 2, 4, 6, 7, 9};
  Model model{spec_for(7)};
  std::unique_ptr<Optimizer> opt = make_optimizer(OptimizerConfig{}, model.num_params());
  NormStats norm{7};
  TimeSplitConfig split;

  Fixture() {
    Rng rng(5, kStreamBench);
    // Random parameters and optimizer state on the real slices, zero on the padding.
    std::vector<float> mask(model.num_params(), 0.0f);
    for (const auto& [off, n] : model.param_slices())
      for (size_t i = 0; i < n; ++i) mask[off + i] = 1.0f;
    for (size_t i = 0; i < model.num_params(); ++i)
      model.params().params()[i] = mask[i] * static_cast<float>(rng.normal());
    for (auto& [name, v] : opt->state())
      for (size_t i = 0; i < v->size(); ++i) (*v)[i] = mask[i] * static_cast<float>(rng.uniform());
    opt->set_t(17);
    norm.restore(std::vector<double>(7, 0.5), std::vector<double>(7, 2.0));
    split.target_fraction = 0.25;
  }

  Checkpoint checkpoint() {
    TrainingState s{&model,
                    opt.get(),
                    &norm,
                    &fx,
                    catalog.category_names,
                    {0.5f, 0.2f, 0.1f},
                    "bce",
                    40,
                    2,
                    3,
                    "[train]\n",
                    selection,
                    std::vector<double>(9, 1.5),
                    &split,
                    11,
                    0.1,
                    0.2};
    return make_checkpoint(s);
  }
};

TEST(WideCheckpoint, RoundTripRestoresModelOptimizerAndInputs) {
  Fixture f;
  ASSERT_GT(f.model.num_params(), f.model.num_weights()) << "the test needs padding";
  Checkpoint c = f.checkpoint();
  EXPECT_EQ(c.feature_names, std::vector<std::string>(
                                 {"hist/a", "hist/b", "hist/c", "recency/b", "activity/log_events",
                                  "activity/log_distinct_items", "activity/log_recency_days"}));
  EXPECT_EQ(static_cast<size_t>(c.num_params()), f.model.num_weights());
  const std::string path = ::testing::TempDir() + "/wide_ckpt.h5";
  write_checkpoint(path, c);
  Checkpoint r = read_checkpoint(path);
  EXPECT_EQ(r.sparse.data, c.sparse.data);
  EXPECT_EQ(r.wide_inputs, c.wide_inputs);
  EXPECT_EQ(r.feature_selection, std::vector<int64_t>({0, 1, 2, 4, 6, 7, 9}));

  ASSERT_EQ(model_spec_of(r), f.model.spec());
  Model m(model_spec_of(r));
  load_params(r, &m);
  EXPECT_EQ(m.params().param_vector(), f.model.params().param_vector());
  auto opt = make_optimizer(OptimizerConfig{}, m.num_params());
  load_optimizer(r, m, opt.get());
  EXPECT_EQ(opt->t(), 17);
  for (size_t i = 0; i < opt->state().size(); ++i)
    EXPECT_EQ(*opt->state()[i].second, *f.opt->state()[i].second) << opt->state()[i].first;

  InputSpec in = input_spec_of(r);
  EXPECT_EQ(in.selection, f.selection);
  EXPECT_EQ(in.item_idf, std::vector<double>(9, 1.5));
  EXPECT_EQ(in.split.target_fraction, 0.25);
  EXPECT_EQ(in.split_key, 11u);
  EXPECT_EQ(in.test_fraction, 0.2);
  fs::remove(path);
}

TEST(WideCheckpoint, InconsistentOptionalPartsAreRejected) {
  Fixture f;
  const Checkpoint good = f.checkpoint();
  EXPECT_NO_THROW(validate_checkpoint(good, "x.h5"));
  auto expect_rejected = [&](Checkpoint c, const std::string& needle) {
    try {
      validate_checkpoint(c, "x.h5");
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  Checkpoint c = good;
  c.wide_inputs[1] = 7;
  expect_rejected(c, "/model/wide/inputs[1]");
  c = good;
  c.sparse.cols = 4;
  expect_rejected(c, "/model/sparse/weight");
  c = good;
  c.item_idf.pop_back();
  expect_rejected(c, "/model/sparse/weight");
  c = good;
  c.feature_selection[2] = 0;
  expect_rejected(c, "/features/selected[2]");
  c = good;
  c.wide_inputs.clear();
  expect_rejected(c, "/model/wide/inputs must come together");
  c = good;
  c.wide_sparse.data[3] = NAN;
  expect_rejected(c, "/model/wide_sparse/weight[3]");
}

}  // namespace
}  // namespace imine

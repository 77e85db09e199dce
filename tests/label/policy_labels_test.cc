// Labels v2 (propensities and the policy in the attributes) and reading v1 files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "imine/h5/h5.h"
#include "imine/label/label_writer.h"
#include "imine/util/error.h"

namespace imine {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  std::string d =
      ::testing::TempDir() + "/policy_labels_" + name + "_" + std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

const std::vector<std::string> kCats = {"a", "b", "c", "d"};

TEST(PolicyLabels, PropensitiesAndPolicyRoundTrip) {
  const std::string path = fresh_dir("v2") + "/l.h5";
  {
    LabelWriter w(path, 2, kCats, "ckpt.h5", 7, "data");
    const uint64_t ids[] = {10, 11};
    const int32_t cats[] = {0, 3, 2, 1};
    const float scores[] = {0.9f, 0.1f, 0.5f, 0.4f};
    const uint8_t slots[] = {kSlotExploit, kSlotExplore, kSlotExploit, kSlotExploit};
    const float props[] = {0.8f, 0.05f, 1.0f, 0.7f};
    w.append(2, ids, cats, scores, slots, props);
    w.set_policy("epsilon", "epsilon=0.2 window=input", 42);
    w.finish();
  }
  LabelsFile l = read_labels(path);
  EXPECT_EQ(l.version, 2);
  EXPECT_EQ(l.propensities, (std::vector<float>{0.8f, 0.05f, 1.0f, 0.7f}));
  EXPECT_EQ(l.policy, "epsilon");
  EXPECT_EQ(l.policy_params, "epsilon=0.2 window=input");
  EXPECT_EQ(l.policy_seed, 42u);
}

TEST(PolicyLabels, RejectsPropensitiesOutsideZeroOne) {
  const std::string dir = fresh_dir("bad");
  LabelWriter w(dir + "/l.h5", 1, kCats, "c", 0, "d");
  const uint64_t id = 1;
  const int32_t cat = 0;
  const float score = 0.5f;
  const uint8_t slot = 0;
  for (float p : {0.0f, -0.1f, 1.5f}) {
    EXPECT_THROW(w.append(1, &id, &cat, &score, &slot, &p), Error) << p;
  }
}

TEST(PolicyLabels, ReadsVersion1FilesAsGreedyWithPropensityOne) {
  const std::string path = fresh_dir("v1") + "/old.h5";
  {
    h5::File f = h5::File::create(path);
    h5::write_schema(f, kLabelsSchema, 1);
    h5::set_attr(f, "/", "k", int64_t{2});
    h5::set_attr(f, "/", "num_users", int64_t{1});
    h5::set_attr(f, "/", "checkpoint", std::string("c.h5"));
    h5::set_attr(f, "/", "checkpoint_step", int64_t{3});
    h5::set_attr(f, "/", "created", std::string("2026-01-01T00:00:00Z"));
    h5::set_attr(f, "/", "dataset", std::string("d"));
    h5::write_vector(f, "/users/id", std::vector<uint64_t>{5});
    const int32_t cats[] = {1, 2};
    const float scores[] = {0.7f, 0.6f};
    const uint8_t slots[] = {0, 0};
    h5::write_dataset(f, "/labels/category", cats, {1, 2});
    h5::write_dataset(f, "/labels/score", scores, {1, 2});
    h5::write_dataset(f, "/labels/slot", slots, {1, 2});
    h5::set_attr(f, "/labels/slot", "names", std::vector<std::string>{"exploit", "explore"});
    h5::write_strings(f, "/categories/name", kCats);
  }
  LabelsFile l = read_labels(path);
  EXPECT_EQ(l.version, 1);
  EXPECT_EQ(l.policy, "greedy");
  EXPECT_EQ(l.propensities, (std::vector<float>{1, 1}));
  EXPECT_EQ(l.categories, (std::vector<int32_t>{1, 2}));
}

}  // namespace
}  // namespace imine

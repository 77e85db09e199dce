#include "imine/label/label_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "imine/h5/h5.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  std::string d = ::testing::TempDir() + "/labels_test_" + name + "_" + std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

const std::vector<std::string> kCats = {"Action", "Comedy", "Drama", "Horror", "Sci-Fi"};

// n users with ids first_id.., k distinct categories each, the last slot exploring.
struct Batch {
  std::vector<uint64_t> ids;
  std::vector<int32_t> categories;
  std::vector<float> scores;
  std::vector<uint8_t> slots;
};

Batch make_batch(uint64_t first_id, size_t n, int k, uint64_t seed) {
  Batch b;
  Rng rng(seed, kStreamBench, first_id);
  for (size_t u = 0; u < n; ++u) {
    b.ids.push_back(first_id + 3 * u);
    int32_t start = static_cast<int32_t>(rng.below(kCats.size()));
    for (int j = 0; j < k; ++j) {
      b.categories.push_back((start + j) % static_cast<int32_t>(kCats.size()));
      b.scores.push_back(rng.uniform_float());
      b.slots.push_back(j + 1 == k ? kSlotExplore : kSlotExploit);
    }
  }
  return b;
}

void append(LabelWriter* w, const Batch& b) {
  w->append(b.ids.size(), b.ids.data(), b.categories.data(), b.scores.data(), b.slots.data());
}

TEST(LabelWriter, RoundTripOverSeveralAppends) {
  std::string path = fresh_dir("rt") + "/labels.h5";
  const int k = 3;
  // The middle batch alone exceeds the writer's buffer, so flushes happen between appends too.
  std::vector<Batch> batches = {make_batch(1, 7, k, 1), make_batch(100, 30000, k, 2),
                                make_batch(200000, 0, k, 3), make_batch(300000, 513, k, 4)};
  {
    LabelWriter w(path, k, kCats, "runs/a/checkpoints/ckpt-00000042.h5", 42, "data/synth");
    for (const auto& b : batches) append(&w, b);
    EXPECT_FALSE(fs::exists(path));
    w.finish();
    EXPECT_EQ(w.num_users(), 7 + 30000 + 513);
  }
  LabelsFile l = read_labels(path);
  EXPECT_EQ(l.k, k);
  EXPECT_EQ(l.category_names, kCats);
  EXPECT_EQ(l.slot_names, (std::vector<std::string>{"exploit", "explore"}));
  EXPECT_EQ(l.checkpoint, "runs/a/checkpoints/ckpt-00000042.h5");
  EXPECT_EQ(l.checkpoint_step, 42);
  EXPECT_EQ(l.dataset, "data/synth");
  EXPECT_EQ(l.created.size(), 20u);  // 2024-01-02T03:04:05Z
  Batch all;
  for (const auto& b : batches) {
    all.ids.insert(all.ids.end(), b.ids.begin(), b.ids.end());
    all.categories.insert(all.categories.end(), b.categories.begin(), b.categories.end());
    all.scores.insert(all.scores.end(), b.scores.begin(), b.scores.end());
    all.slots.insert(all.slots.end(), b.slots.begin(), b.slots.end());
  }
  EXPECT_EQ(l.user_ids, all.ids);
  EXPECT_EQ(l.categories, all.categories);
  EXPECT_EQ(l.scores, all.scores);
  EXPECT_EQ(l.slots, all.slots);

  h5::File f = h5::File::open_read(path);
  EXPECT_EQ(h5::Dataset(f, "/labels/score").dims(), (std::vector<hsize_t>{30520, 3}));
  EXPECT_EQ(h5::get_attr_int(f, "/", "num_users"), 30520);
}

TEST(LabelWriter, UnfinishedWriterLeavesThePreviousFileUntouched) {
  std::string dir = fresh_dir("unfinished");
  std::string path = dir + "/labels.h5";
  {
    LabelWriter w(path, 2, kCats, "old.h5", 1, "d");
    append(&w, make_batch(1, 5, 2, 1));
    w.finish();
  }
  {
    LabelWriter w(path, 2, kCats, "new.h5", 2, "d");
    append(&w, make_batch(1000, 20000, 2, 2));
    // Destroyed without finish(), as when an exception unwinds the labelling.
  }
  LabelsFile l = read_labels(path);
  EXPECT_EQ(l.checkpoint, "old.h5");
  EXPECT_EQ(l.num_users(), 5u);
  // No temporary file is left behind either.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  EXPECT_EQ(names, (std::vector<std::string>{"labels.h5"}));

  std::string fresh = dir + "/never.h5";
  { LabelWriter w(fresh, 2, kCats, "c.h5", 3, "d"); }
  EXPECT_FALSE(fs::exists(fresh));
}

TEST(LabelWriter, RejectsBadRowsAndArguments) {
  std::string dir = fresh_dir("bad");
  EXPECT_THROW(LabelWriter(dir + "/a.h5", 0, kCats, "c", 0, "d"), Error);
  EXPECT_THROW(LabelWriter(dir + "/a.h5", 6, kCats, "c", 0, "d"), Error);
  EXPECT_THROW(LabelWriter(dir + "/a.h5", 1, {}, "c", 0, "d"), Error);

  LabelWriter w(dir + "/a.h5", 2, kCats, "c", 0, "d");
  uint64_t id = 77;
  auto expect_bad = [&](std::vector<int32_t> c, std::vector<float> s, std::vector<uint8_t> sl,
                        const std::string& needle) {
    try {
      w.append(1, &id, c.data(), s.data(), sl.data());
      ADD_FAILURE() << "accepted a row with " << needle;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(dir + "/a.h5"), std::string::npos) << msg;
      EXPECT_NE(msg.find("user 77"), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  expect_bad({0, 5}, {0.5f, 0.5f}, {0, 0}, "outside");
  expect_bad({-1, 2}, {0.5f, 0.5f}, {0, 0}, "outside");
  expect_bad({3, 3}, {0.5f, 0.5f}, {0, 0}, "twice");
  expect_bad({0, 1}, {0.5f, std::nanf("")}, {0, 0}, "finite");
  expect_bad({0, 1}, {0.5f, 0.5f}, {0, 2}, "slot");
  EXPECT_EQ(w.num_users(), 0);
  w.finish();
  EXPECT_THROW(w.finish(), Error);
  EXPECT_EQ(read_labels(dir + "/a.h5").num_users(), 0u);
}

TEST(ReadLabels, EnforcesUserLimitAndConsistentShapes) {
  std::string dir = fresh_dir("read");
  std::string path = dir + "/labels.h5";
  {
    LabelWriter w(path, 2, kCats, "c.h5", 1, "d");
    append(&w, make_batch(1, 10, 2, 1));
    w.finish();
  }
  EXPECT_EQ(read_labels(path, 10).num_users(), 10u);
  EXPECT_THROW(read_labels(path, 9), Error);

  // A file whose num_users attribute disagrees with the datasets is refused, naming both.
  {
    h5::File f = h5::File::open_readwrite(path);
    h5::set_attr(f, "/", "num_users", int64_t{11});
    f.close();
  }
  try {
    read_labels(path);
    ADD_FAILURE() << "accepted inconsistent num_users";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": /users/id"), std::string::npos) << e.what();
  }
  std::ofstream(dir + "/junk.h5") << "junk";
  EXPECT_THROW(read_labels(dir + "/junk.h5"), Error);
}

}  // namespace
}  // namespace imine

#include "imine/train/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include "imine/h5/h5.h"
#include "imine/label/label_writer.h"
#include "imine/util/error.h"
#include "imine/util/rng.h"

namespace imine {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  // The pid keeps concurrent runs of the suite (e.g. Release and ASan builds) apart.
  std::string d = ::testing::TempDir() + "/ckpt_test_" + name + "_" + std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<float> random_floats(Rng* rng, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng->normal());
  return v;
}

// A 3-layer MLP checkpoint (5 -> 4 -> 3 -> 6) with every field set.
Checkpoint make_checkpoint(int64_t step, uint64_t seed = 7) {
  Rng rng(seed, kStreamBench, step);
  Checkpoint c;
  const int64_t dims[] = {5, 4, 3, 6};
  for (int i = 0; i < 3; ++i) {
    CheckpointLayer l;
    l.in = dims[i];
    l.out = dims[i + 1];
    l.weight = random_floats(&rng, static_cast<size_t>(l.out * l.in));
    l.bias = random_floats(&rng, static_cast<size_t>(l.out));
    l.activation = i < 2 ? "relu" : "none";
    c.layers.push_back(l);
  }
  c.optimizer = "adamw";
  c.optimizer_state = {{"m", random_floats(&rng, c.num_params())},
                       {"v", random_floats(&rng, c.num_params())}};
  c.optimizer_step = step;
  c.norm_mean = {0.5, -1.25, 3.0, 1e-9, 7.0};
  c.norm_std = {1.0, 0.5, 2.0, 1e-6, 3.5};
  c.feature_names = {"f0", "f1", "f2", "f3", "f4"};
  c.category_names = {"Action", "Comedy", "Drama", "Horror", "Sci-Fi", "Film-Noir"};
  c.category_popularity = {0.3, 0.25, 0.2, 0.1, 0.1, 0.05};
  c.step = step;
  c.epoch = step / 10;
  c.seed = static_cast<int64_t>(seed);
  c.rng_state = {1, 0xffffffffffffffffULL, 3, 4};
  c.data_position = {c.epoch, step % 10};
  c.config_ini = "[train]\nlr = 0.001\nbatch_size = 256\n";
  c.best_metric = 0.4321;
  c.best_metric_name = "ndcg@5";
  c.string_attrs = {{"model_spec", "in=5 hidden=[4,3] out=6 dropout=0"}};
  c.metrics = {{"ndcg@5", 0.4321}, {"loss", 0.69}, {"auc", std::nan("")}};
  return c;
}

template <typename T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs f, expecting an Error whose message contains every one of `needles`.
template <typename F>
void expect_error_containing(F f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "no Error thrown";
  } catch (const Error& e) {
    for (const auto& n : needles) {
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
          << "message '" << e.what() << "' lacks '" << n << "'";
    }
  }
}

TEST(Checkpoint, RoundTripIsBitwise) {
  std::string path = fresh_dir("rt") + "/c.h5";
  Checkpoint c = make_checkpoint(1234);
  write_checkpoint(path, c);
  Checkpoint r = read_checkpoint(path);
  ASSERT_EQ(r.layers.size(), c.layers.size());
  for (size_t i = 0; i < c.layers.size(); ++i) {
    EXPECT_EQ(r.layers[i].out, c.layers[i].out);
    EXPECT_EQ(r.layers[i].in, c.layers[i].in);
    EXPECT_TRUE(bitwise_equal(r.layers[i].weight, c.layers[i].weight)) << "layer " << i;
    EXPECT_TRUE(bitwise_equal(r.layers[i].bias, c.layers[i].bias)) << "layer " << i;
    EXPECT_EQ(r.layers[i].activation, c.layers[i].activation);
  }
  EXPECT_EQ(r.optimizer, "adamw");
  ASSERT_EQ(r.optimizer_state.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r.optimizer_state[i].first, c.optimizer_state[i].first);
    EXPECT_TRUE(bitwise_equal(r.optimizer_state[i].second, c.optimizer_state[i].second));
  }
  EXPECT_EQ(r.optimizer_step, 1234);
  EXPECT_TRUE(bitwise_equal(r.norm_mean, c.norm_mean));
  EXPECT_TRUE(bitwise_equal(r.norm_std, c.norm_std));
  EXPECT_EQ(r.feature_names, c.feature_names);
  EXPECT_EQ(r.category_names, c.category_names);
  EXPECT_TRUE(bitwise_equal(r.category_popularity, c.category_popularity));
  EXPECT_EQ(r.step, 1234);
  EXPECT_EQ(r.epoch, 123);
  EXPECT_EQ(r.seed, 7);
  EXPECT_EQ(r.rng_state, c.rng_state);
  EXPECT_EQ(r.data_position, c.data_position);
  EXPECT_EQ(r.config_ini, c.config_ini);
  EXPECT_EQ(r.best_metric, c.best_metric);
  EXPECT_EQ(r.best_metric_name, c.best_metric_name);
  EXPECT_EQ(r.string_attrs, c.string_attrs);
  ASSERT_EQ(r.metrics.size(), 3u);
  EXPECT_EQ(r.metrics[0], c.metrics[0]);
  EXPECT_EQ(r.metrics[1], c.metrics[1]);
  EXPECT_EQ(r.metrics[2].first, "auc");
  EXPECT_TRUE(std::isnan(r.metrics[2].second));
  EXPECT_EQ(checkpoint_content_checksum(r), checkpoint_content_checksum(c));
}

TEST(Checkpoint, EmptyOptionalPartsRoundTrip) {
  std::string path = fresh_dir("empty") + "/c.h5";
  Checkpoint c = make_checkpoint(0);
  c.optimizer_state.clear();
  c.rng_state.clear();
  c.data_position.clear();
  c.string_attrs.clear();
  c.metrics.clear();
  c.config_ini.clear();
  write_checkpoint(path, c);
  Checkpoint r = read_checkpoint(path);
  EXPECT_TRUE(r.optimizer_state.empty());
  EXPECT_TRUE(r.rng_state.empty());
  EXPECT_TRUE(r.data_position.empty());
  EXPECT_TRUE(r.metrics.empty());
  EXPECT_EQ(r.config_ini, "");
}

TEST(Checkpoint, FlippedWeightByteIsDetectedAndNamesTheFile) {
  std::string dir = fresh_dir("flip");
  Checkpoint c = make_checkpoint(5);
  write_checkpoint(dir + "/good.h5", c);
  std::string bytes = read_bytes(dir + "/good.h5");
  // Weights are stored uncompressed, so the raw floats appear verbatim in the file.
  const auto& w = c.layers[1].weight;
  std::string needle(reinterpret_cast<const char*>(w.data()), w.size() * sizeof(float));
  size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes.find(needle, at + 1), std::string::npos);
  // Lowest mantissa byte of a middle weight: the value stays finite and plausible, so only the
  // checksum can notice.
  bytes[at + 4 * (w.size() / 2)] ^= 0x01;
  std::string bad = dir + "/flipped.h5";
  write_bytes(bad, bytes);
  expect_error_containing([&] { read_checkpoint(bad); }, {bad, "checksum"});
}

TEST(Checkpoint, TruncatedFileIsRejectedNamingTheFile) {
  std::string dir = fresh_dir("trunc");
  write_checkpoint(dir + "/good.h5", make_checkpoint(5));
  std::string bytes = read_bytes(dir + "/good.h5");
  for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{100}}) {
    std::string bad = dir + "/trunc.h5";
    write_bytes(bad, bytes.substr(0, keep));
    expect_error_containing([&] { read_checkpoint(bad); }, {bad});
  }
}

TEST(Checkpoint, ShapeMismatchesAreRejected) {
  std::string path = fresh_dir("shape") + "/c.h5";
  auto expect_rejected = [&](Checkpoint c, const std::string& needle) {
    expect_error_containing([&] { write_checkpoint(path, c); }, {path, needle});
    EXPECT_FALSE(fs::exists(path)) << needle;
  };
  Checkpoint c = make_checkpoint(1);
  Checkpoint bad = c;
  bad.layers[1].bias.pop_back();
  expect_rejected(bad, "/model/layers/1/bias");
  bad = c;
  bad.layers[2].in = 4;
  bad.layers[2].weight.resize(24);
  expect_rejected(bad, "/model/layers/2");
  bad = c;
  bad.norm_std.pop_back();
  expect_rejected(bad, "/features/norm_std");
  bad = c;
  bad.feature_names.push_back("extra");
  expect_rejected(bad, "/features/names");
  bad = c;
  bad.category_names.pop_back();
  expect_rejected(bad, "/categories/name");
  bad = c;
  bad.optimizer_state[0].second.pop_back();
  expect_rejected(bad, "/optimizer/m");
  bad = c;
  bad.layers[0].weight[3] = std::numeric_limits<float>::infinity();
  expect_rejected(bad, "/model/layers/0/weight[3]");
  bad = c;
  bad.norm_std[2] = 0.0;
  expect_rejected(bad, "/features/norm_std[2]");
  bad = c;
  bad.layers[0].activation = "tanh";
  expect_rejected(bad, "tanh");
  bad = c;
  bad.string_attrs.push_back({"step", "x"});
  expect_rejected(bad, "reserved");
}

TEST(Checkpoint, ReaderRejectsShapeMismatchInTheFile) {
  // The writer refuses bad shapes, so patch a valid file's checksum-covered data directly: a
  // file whose bias was rewritten shorter must fail on shape, naming the dataset.
  std::string dir = fresh_dir("readshape");
  Checkpoint c = make_checkpoint(3);
  write_checkpoint(dir + "/c.h5", c);
  {
    h5::File f = h5::File::open_readwrite(dir + "/c.h5");
    ASSERT_GE(H5Ldelete(f.id(), "/model/layers/1/bias", H5P_DEFAULT), 0);
    std::vector<float> shorter(c.layers[1].bias.begin(), c.layers[1].bias.end() - 1);
    h5::write_vector(f, "/model/layers/1/bias", shorter);
    f.close();
  }
  expect_error_containing([&] { read_checkpoint(dir + "/c.h5"); },
                          {dir + "/c.h5", "/model/layers/1/bias"});
}

TEST(Checkpoint, WrongSchemaIsRejected) {
  std::string path = fresh_dir("schema") + "/c.h5";
  {
    h5::File f = h5::File::create(path);
    h5::write_schema(f, "imine.labels", 1);
    f.close();
  }
  expect_error_containing([&] { read_checkpoint(path); }, {path, "imine.checkpoint"});
}

TEST(CheckpointDir, PathsAreZeroPadded) {
  CheckpointDir d("/x/run", 3);
  EXPECT_EQ(d.path_for_step(1234), "/x/run/ckpt-00001234.h5");
  EXPECT_EQ(d.best_path(), "/x/run/best.h5");
  EXPECT_THROW(CheckpointDir("/x", 0), Error);
}

TEST(CheckpointDir, KeepsNewestAndBestAndResumesFromNewestValid) {
  std::string dir = fresh_dir("dir") + "/run";
  CheckpointDir d(dir, 2);
  EXPECT_EQ(d.newest_valid(), std::nullopt);
  d.save(make_checkpoint(10), false);
  d.save(make_checkpoint(20), true);
  d.save(make_checkpoint(30), false);
  d.save(make_checkpoint(40), false);
  d.save(make_checkpoint(50), false);
  EXPECT_EQ(d.list_steps(), (std::vector<int64_t>{20, 40, 50}));
  EXPECT_EQ(read_checkpoint(d.best_path()).step, 20);
  EXPECT_EQ(d.newest_valid(), d.path_for_step(50));

  // A new best replaces best.h5; the old best becomes prunable.
  d.save(make_checkpoint(60), true);
  EXPECT_EQ(d.list_steps(), (std::vector<int64_t>{50, 60}));
  EXPECT_EQ(read_checkpoint(d.best_path()).step, 60);

  // A restarted job learns which step best.h5 holds and keeps it while pruning.
  CheckpointDir again(dir, 1);
  again.save(make_checkpoint(70), false);
  EXPECT_EQ(again.list_steps(), (std::vector<int64_t>{60, 70}));

  // A torn newest file is skipped in favour of the previous one.
  std::string newest = again.path_for_step(70);
  std::string bytes = read_bytes(newest);
  write_bytes(newest, bytes.substr(0, bytes.size() / 3));
  EXPECT_EQ(again.newest_valid(), again.path_for_step(60));
  // best.h5 is its own directory entry: it outlives the step file it was taken from.
  fs::remove(again.path_for_step(60));
  EXPECT_EQ(again.newest_valid(), std::nullopt);
  EXPECT_EQ(read_checkpoint(again.best_path()).step, 60);
}

TEST(CheckpointDir, IgnoresUnrelatedFiles) {
  std::string dir = fresh_dir("unrelated");
  write_bytes(dir + "/ckpt-abc.h5", "x");
  write_bytes(dir + "/.ckpt-00000001.h5.tmp.99", "x");
  write_bytes(dir + "/notes.txt", "x");
  CheckpointDir d(dir, 1);
  EXPECT_TRUE(d.list_steps().empty());
  d.save(make_checkpoint(1), false);
  d.save(make_checkpoint(2), false);
  EXPECT_EQ(d.list_steps(), (std::vector<int64_t>{2}));
  EXPECT_TRUE(fs::exists(dir + "/ckpt-abc.h5"));
  EXPECT_TRUE(fs::exists(dir + "/notes.txt"));
}

// ---- scripts/check_checkpoint.py against files written by this code ----

// Runs a command, returning its exit status; output goes to `log`.
int run(const std::string& cmd, const std::string& log) {
  int rc = std::system((cmd + " >" + log + " 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(CheckCheckpointScript, AcceptsConsistentFilesAndRejectsTamperedOnes) {
  fs::path script = fs::path(__FILE__).parent_path().parent_path().parent_path() / "scripts" /
                    "check_checkpoint.py";
  std::string dir = fresh_dir("script");
  std::string python;
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    if (run(std::string(py) + " -c 'import h5py, numpy'", dir + "/probe.log") == 0) {
      python = py;
      break;
    }
  }
  if (python.empty() || !fs::exists(script)) GTEST_SKIP() << "needs python3 with h5py, numpy";

  Checkpoint c = make_checkpoint(9);
  c.string_attrs.push_back({"loss", "bce"});
  // Positive hidden weights and biases keep most ReLUs active, so users' labels differ.
  for (size_t i = 0; i + 1 < c.layers.size(); ++i) {
    for (float& w : c.layers[i].weight) w = std::abs(w);
    for (float& b : c.layers[i].bias) b = 1.0f;
  }
  write_checkpoint(dir + "/c.h5", c);
  const int n = 40, d = 5, num_cats = 6, k = 4;
  Rng rng(3, kStreamBench);
  std::vector<float> x = random_floats(&rng, n * d);
  std::vector<uint64_t> ids;
  std::vector<int32_t> cats;
  std::vector<float> scores;
  std::vector<uint8_t> slots;
  for (int u = 0; u < n + 5; ++u) {  // the last 5 users are not in the features dump
    std::vector<float> h(x.begin() + (u % n) * d, x.begin() + (u % n + 1) * d);
    for (const auto& l : c.layers) {
      std::vector<float> next(l.bias);
      for (int64_t o = 0; o < l.out; ++o)
        for (int64_t i = 0; i < l.in; ++i) next[o] += l.weight[o * l.in + i] * h[i];
      if (l.activation == "relu")
        for (float& v : next) v = std::max(v, 0.0f);
      h = next;
    }
    for (float& v : h) v = 1.0f / (1.0f + std::exp(-v));
    std::vector<int32_t> order(num_cats);
    for (int j = 0; j < num_cats; ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return h[a] > h[b]; });
    order[k - 1] = order[num_cats - 1];  // the last slot explores the least likely category
    ids.push_back(1000 + u);
    for (int j = 0; j < k; ++j) {
      cats.push_back(order[j]);
      scores.push_back(h[order[j]]);
      slots.push_back(j + 1 == k ? kSlotExplore : kSlotExploit);
    }
  }
  auto write_labels = [&](const std::string& path, const std::vector<int32_t>& cs,
                          const std::vector<float>& ss) {
    LabelWriter w(path, k, c.category_names, dir + "/c.h5", c.step, "test");
    w.append(ids.size(), ids.data(), cs.data(), ss.data(), slots.data());
    w.finish();
  };
  std::set<std::set<int32_t>> exploit_sets;
  for (int u = 0; u < n; ++u) exploit_sets.insert({cats[u * k], cats[u * k + 1], cats[u * k + 2]});
  ASSERT_GE(exploit_sets.size(), 3u) << "degenerate model: most users get the same labels";
  write_labels(dir + "/good.h5", cats, scores);
  std::vector<float> off = scores;
  off[7 * k + 1] += 1e-3f;
  write_labels(dir + "/score.h5", cats, off);
  // User 3: an exploit slot and the explore slot trade places (scores follow their categories).
  std::vector<int32_t> swapped = cats;
  std::vector<float> swapped_scores = scores;
  std::swap(swapped[3 * k], swapped[3 * k + k - 1]);
  std::swap(swapped_scores[3 * k], swapped_scores[3 * k + k - 1]);
  write_labels(dir + "/swapped.h5", swapped, swapped_scores);
  {
    h5::File f = h5::File::create(dir + "/features.h5");
    h5::write_vector(f, "/users/id", std::vector<uint64_t>(ids.begin(), ids.begin() + n));
    h5::write_dataset(f, "/features/normalized", x.data(), {hsize_t(n), hsize_t(d)});
    f.close();
    h5::File g = h5::File::create(dir + "/nofeatures.h5");
    h5::write_vector(g, "/users/id", ids);
    g.close();
  }
  auto check = [&](const std::string& labels, const std::string& features) {
    return run(python + " " + script.string() + " --checkpoint " + dir + "/c.h5 --labels " + dir +
                   "/" + labels + " --features " + dir + "/" + features,
               dir + "/out.log");
  };
  auto log = [&] { return read_bytes(dir + "/out.log"); };
  EXPECT_EQ(check("good.h5", "features.h5"), 0) << log();
  EXPECT_NE(log().find("OK: 40 users"), std::string::npos) << log();
  EXPECT_EQ(check("score.h5", "features.h5"), 1) << log();
  EXPECT_NE(log().find("user 1007"), std::string::npos) << log();
  EXPECT_EQ(check("swapped.h5", "features.h5"), 1) << log();
  EXPECT_NE(log().find("user 1003"), std::string::npos) << log();
  EXPECT_EQ(check("good.h5", "nofeatures.h5"), 2) << log();
  EXPECT_NE(log().find("/features/normalized missing"), std::string::npos) << log();
}

}  // namespace
}  // namespace imine

#include "imine/label/labeler.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>
#include <sstream>

#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/features/item_features.h"
#include "imine/features/split.h"
#include "imine/h5/h5.h"
#include "imine/label/label_writer.h"
#include "imine/label/policy_calibration.h"
#include "imine/label/policy_scorer.h"
#include "imine/nn/sparse_linear.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

constexpr int kLabelTag = 4711;

// This rank's labels, kept compact until they are sent (ids + k categories, scores,
// propensities and slot kinds).
struct LocalLabels {
  int k = 0;
  std::vector<uint64_t> ids;
  std::vector<int32_t> categories;
  std::vector<float> scores;
  std::vector<float> propensities;
  std::vector<uint8_t> slots;
  size_t size() const { return ids.size(); }
};

constexpr size_t kBytesPerSlot = 4 + 4 + 4 + 1;  // category, score, propensity, slot

// One batch on the wire: [n][ids][categories][scores][propensities][slots].
std::vector<char> pack(const LocalLabels& l, size_t begin, size_t n) {
  const size_t k = static_cast<size_t>(l.k);
  std::vector<char> buf(sizeof(uint64_t) + n * (sizeof(uint64_t) + k * kBytesPerSlot));
  char* p = buf.data();
  uint64_t count = n;
  std::memcpy(p, &count, 8);
  p += 8;
  std::memcpy(p, l.ids.data() + begin, n * 8);
  p += n * 8;
  std::memcpy(p, l.categories.data() + begin * k, n * k * 4);
  p += n * k * 4;
  std::memcpy(p, l.scores.data() + begin * k, n * k * 4);
  p += n * k * 4;
  std::memcpy(p, l.propensities.data() + begin * k, n * k * 4);
  p += n * k * 4;
  std::memcpy(p, l.slots.data() + begin * k, n * k);
  return buf;
}

void append_packed(LabelWriter* w, const std::vector<char>& buf, int k, int source) {
  IMINE_CHECK(buf.size() >= 8) << "labels batch from rank " << source << " is truncated";
  uint64_t n = 0;
  std::memcpy(&n, buf.data(), 8);
  IMINE_CHECK(buf.size() == 8 + n * (8 + size_t(k) * kBytesPerSlot))
      << "labels batch from rank " << source << " has the wrong size";
  const char* p = buf.data() + 8;
  std::vector<uint64_t> ids(n);
  std::vector<int32_t> cats(n * k);
  std::vector<float> scores(n * k), props(n * k);
  std::vector<uint8_t> slots(n * k);
  std::memcpy(ids.data(), p, n * 8);
  p += n * 8;
  std::memcpy(cats.data(), p, n * k * 4);
  p += n * k * 4;
  std::memcpy(scores.data(), p, n * k * 4);
  p += n * k * 4;
  std::memcpy(props.data(), p, n * k * 4);
  p += n * k * 4;
  std::memcpy(slots.data(), p, n * k);
  w->append(n, ids.data(), cats.data(), scores.data(), slots.data(), props.data());
}

}  // namespace

void top_k(const float* scores, int num, int k, int32_t* out) {
  thread_local std::vector<int32_t> idx;
  idx.resize(static_cast<size_t>(num));
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, num);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int32_t a, int32_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
  });
  std::copy(idx.begin(), idx.begin() + k, out);
}

LabelStats write_labels(const LabelJob& job, const DatasetSource& source, Model& model,
                        const Loss& loss, const NormStats& norm, FeatureConfig features,
                        const std::vector<int>& selection, const std::vector<double>& item_idf,
                        const Communicator& comm) {
  auto t0 = std::chrono::steady_clock::now();
  if (job.window.mode == SplitMode::kAll) features.t_ref = source.time_max();
  const bool needs_sigma = policy_needs_uncertainty(job.policy.kind);
  IMINE_CHECK(!needs_sigma || (job.head != nullptr && !job.head->empty()))
      << job.checkpoint_path << ": policy " << policy_name(job.policy.kind)
      << " needs a posterior head (train with --posterior-lambda > 0, which fits it into "
         "best.h5)";
  ScoringInputs in;
  in.model = &model;
  in.loss = &loss;
  in.norm = &norm;
  in.features = features;
  in.selection = selection;
  in.item_idf = item_idf;
  in.head = needs_sigma ? job.head : nullptr;
  in.window = job.window;
  ChunkScorer scorer(source.catalog(), in, source.dir());
  const int C = scorer.num_categories();
  IMINE_CHECK(job.k >= 1 && job.k <= C) << "--k must be in [1, " << C << "], got " << job.k;
  const uint32_t buckets = scorer.buckets();
  const size_t dim = scorer.dim();

  Policy policy = job.policy;
  if (job.explore_budget >= 0) {
    constexpr int64_t kCalibrationUsers = 4000;
    ScoredUsers sample = calibration_sample(source, scorer, job.seed, kCalibrationUsers, comm);
    policy = calibrate_policy(policy, job.explore_budget, job.k, job.seed, sample, comm);
    if (comm.is_root()) {
      IMINE_LOG() << "labels: " << policy_name(policy.kind) << " " << policy_knob_name(policy.kind)
                  << " = " << policy.knob << " for an explore budget of " << job.explore_budget;
    }
  }

  LocalLabels local;
  local.k = job.k;
  std::vector<float> probs, sigma;
  std::vector<uint64_t> dump_ids;
  std::vector<float> dump_rows;
  SparseRows dump_items;
  const std::vector<size_t> every_user;
  source.for_each_chunk([&](const UserChunk& chunk) {
    const size_t n = chunk.num_users();
    scorer.score(chunk, every_user, &probs, &sigma);
    for (size_t u = 0; u < n; ++u) {
      local.ids.push_back(chunk.user_ids[u]);
      const size_t at = local.categories.size();
      local.categories.resize(at + job.k);
      local.scores.resize(at + job.k);
      local.propensities.resize(at + job.k);
      local.slots.resize(at + job.k);
      UserScores us{probs.data() + u * C, needs_sigma ? sigma.data() + u * C : nullptr, C};
      choose_labels(policy, us, job.k, job.seed, chunk.user_ids[u], local.categories.data() + at,
                    local.slots.data() + at, local.propensities.data() + at);
      for (int j = 0; j < job.k; ++j)
        local.scores[at + j] = probs[u * C + local.categories[at + j]];
    }
    if (!job.dump_features.empty() && comm.is_root()) {
      const std::vector<float>& rows = scorer.rows();
      const SparseRows& items = scorer.items();
      dump_ids.insert(dump_ids.end(), chunk.user_ids.begin(), chunk.user_ids.end());
      dump_rows.insert(dump_rows.end(), rows.begin(), rows.end());
      for (size_t i = 0; buckets > 0 && i < n; ++i) {
        const uint64_t at = items.offsets[i];
        dump_items.index.insert(dump_items.index.end(), items.index.begin() + at,
                                items.index.begin() + at + items.nnz(i));
        dump_items.value.insert(dump_items.value.end(), items.value.begin() + at,
                                items.value.begin() + at + items.nnz(i));
        dump_items.offsets.push_back(dump_items.index.size());
      }
    }
  });

  // Ordered, bounded hand-over: rank 0 writes its own users, then rank 1's, ... so the file
  // order is the dataset order whatever the number of ranks.
  const size_t batch = static_cast<size_t>(std::max<int64_t>(1, job.batch_users));
  int64_t total = static_cast<int64_t>(local.size());
  comm.allreduce_sum(&total, 1);
  if (comm.is_root()) {
    LabelWriter writer(job.out, job.k, source.catalog().category_names, job.checkpoint_path,
                       job.checkpoint_step, source.dir());
    std::ostringstream params;
    params << policy_knob_name(policy.kind) << "=" << policy.knob;
    if (job.explore_budget >= 0) params << " explore_budget=" << job.explore_budget;
    if (policy.explore_slots > 0) params << " explore_slots=" << policy.explore_slots;
    params << " window=" << (job.window.mode == SplitMode::kAll ? "all" : "input");
    if (!job.policy_params.empty()) params << " " << job.policy_params;
    writer.set_policy(policy_name(policy.kind), params.str(), job.seed);
    for (size_t b = 0; b < local.size(); b += batch)
      append_packed(&writer, pack(local, b, std::min(batch, local.size() - b)), job.k, 0);
    for (int r = 1; r < comm.size(); ++r) {
      std::vector<char> head = comm.recv_bytes(r, kLabelTag);
      uint64_t batches = 0;
      IMINE_CHECK(head.size() == 8) << "bad labels header from rank " << r;
      std::memcpy(&batches, head.data(), 8);
      for (uint64_t b = 0; b < batches; ++b)
        append_packed(&writer, comm.recv_bytes(r, kLabelTag), job.k, r);
    }
    writer.finish();
    if (!job.dump_features.empty()) {
      AtomicOutput out(job.dump_features);
      h5::File f = h5::File::create(out.temp_path());
      h5::write_schema(f, "imine.features", 1);
      h5::write_vector(f, "/users/id", dump_ids);
      h5::write_dataset(f, "/features/normalized", dump_rows.data(),
                        {static_cast<hsize_t>(dump_ids.size()), static_cast<hsize_t>(dim)});
      if (buckets > 0) {
        h5::write_vector(f, "/items/offsets", dump_items.offsets);
        h5::write_vector(f, "/items/bucket", dump_items.index);
        h5::write_vector(f, "/items/value", dump_items.value);
        h5::set_attr(f, "/items", "num_buckets", static_cast<int64_t>(buckets));
      }
      f.close();
      out.commit();
    }
  } else {
    uint64_t batches = (local.size() + batch - 1) / batch;
    comm.send_bytes(&batches, 8, 0, kLabelTag);
    for (size_t b = 0; b < local.size(); b += batch) {
      std::vector<char> buf = pack(local, b, std::min(batch, local.size() - b));
      comm.send_bytes(buf.data(), buf.size(), 0, kLabelTag);
    }
  }
  LabelStats stats;
  stats.users = total;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stats.policy = policy;
  if (comm.is_root())
    IMINE_LOG() << "labels: " << total << " users in " << stats.seconds << " s -> " << job.out;
  return stats;
}

}  // namespace imine

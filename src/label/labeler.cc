#include "imine/label/labeler.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>

#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/features/item_features.h"
#include "imine/features/split.h"
#include "imine/h5/h5.h"
#include "imine/label/label_writer.h"
#include "imine/nn/sparse_linear.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {

constexpr int kLabelTag = 4711;

// This rank's labels, kept compact until they are sent (ids + k categories + k scores).
struct LocalLabels {
  int k = 0;
  std::vector<uint64_t> ids;
  std::vector<int32_t> categories;
  std::vector<float> scores;
  size_t size() const { return ids.size(); }
};

// One batch on the wire: [n][ids][categories][scores].
std::vector<char> pack(const LocalLabels& l, size_t begin, size_t n) {
  const size_t k = static_cast<size_t>(l.k);
  std::vector<char> buf(sizeof(uint64_t) + n * (sizeof(uint64_t) + k * 8));
  char* p = buf.data();
  uint64_t count = n;
  std::memcpy(p, &count, 8);
  p += 8;
  std::memcpy(p, l.ids.data() + begin, n * 8);
  p += n * 8;
  std::memcpy(p, l.categories.data() + begin * k, n * k * 4);
  p += n * k * 4;
  std::memcpy(p, l.scores.data() + begin * k, n * k * 4);
  return buf;
}

void append_packed(LabelWriter* w, const std::vector<char>& buf, int k, int source) {
  IMINE_CHECK(buf.size() >= 8) << "labels batch from rank " << source << " is truncated";
  uint64_t n = 0;
  std::memcpy(&n, buf.data(), 8);
  IMINE_CHECK(buf.size() == 8 + n * (8 + size_t(k) * 8))
      << "labels batch from rank " << source << " has the wrong size";
  const char* p = buf.data() + 8;
  std::vector<uint64_t> ids(n);
  std::vector<int32_t> cats(n * k);
  std::vector<float> scores(n * k);
  std::memcpy(ids.data(), p, n * 8);
  std::memcpy(cats.data(), p + n * 8, n * k * 4);
  std::memcpy(scores.data(), p + n * 8 + n * k * 4, n * k * 4);
  std::vector<uint8_t> slots(n * k, 0);  // every slot is "exploit" for now
  w->append(n, ids.data(), cats.data(), scores.data(), slots.data());
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
  features.t_ref = source.time_max();
  FeatureExtractor fx(source.catalog(), features);
  for (int c : selection) {
    IMINE_CHECK(c >= 0 && static_cast<size_t>(c) < fx.dim())
        << source.dir() << ": selected feature " << c << " is outside the " << fx.dim()
        << " features this dataset gives (different categories or attributes?)";
  }
  const size_t dim = selection.empty() ? fx.dim() : selection.size();
  IMINE_CHECK(dim == static_cast<size_t>(model.spec().input_dim))
      << source.dir() << ": this dataset gives " << dim << " features, the model expects "
      << model.spec().input_dim << " (different categories or attributes?)";
  const uint32_t buckets = static_cast<uint32_t>(item_idf.size());
  IMINE_CHECK(static_cast<int>(buckets) == model.spec().sparse_dim)
      << "labels: " << buckets << " item buckets for a model with " << model.spec().sparse_dim;
  const int C = model.spec().output_dim;
  IMINE_CHECK(job.k >= 1 && job.k <= C) << "--k must be in [1, " << C << "], got " << job.k;
  TimeSplitConfig all;
  all.mode = SplitMode::kAll;

  LocalLabels local;
  local.k = job.k;
  std::vector<float> rows, probs;
  std::vector<uint64_t> dump_ids;
  std::vector<float> dump_rows, full(fx.dim());
  SparseRows items, dump_items;
  std::vector<uint32_t> scratch;
  SparseBatch batch_items;
  source.for_each_chunk([&](const UserChunk& chunk) {
    const size_t n = chunk.num_users();
    rows.resize(n * dim);
    items = SparseRows();
    for (size_t u = 0; u < n; ++u) {
      TimeSplit split = split_user(chunk, u, all);
      float* row = rows.data() + u * dim;
      if (selection.empty()) {
        fx.extract(chunk, u, split.input, row);
      } else {
        fx.extract(chunk, u, split.input, full.data());
        for (size_t j = 0; j < dim; ++j) row[j] = full[selection[j]];
      }
      norm.apply(row);
      if (buckets > 0) append_item_counts(chunk, u, split.input, buckets, &scratch, &items);
    }
    if (buckets > 0) apply_tfidf(item_idf, &items);
    Eigen::MatrixXf x, p;
    ForwardContext ctx;
    constexpr size_t kBatch = 1024;
    probs.resize(n * C);
    for (size_t b = 0; b < n; b += kBatch) {
      const size_t m = std::min(kBatch, n - b);
      x = Eigen::Map<const Eigen::MatrixXf>(rows.data() + b * dim, Eigen::Index(dim),
                                            Eigen::Index(m));
      batch_items.clear();
      for (size_t i = b; buckets > 0 && i < b + m; ++i) {
        const uint64_t at = items.offsets[i];
        batch_items.append(items.index.data() + at, items.value.data() + at, items.nnz(i));
      }
      loss.scores(model.forward(x, buckets > 0 ? &batch_items : nullptr, ctx), &p);
      std::copy(p.data(), p.data() + m * C, probs.data() + b * C);
    }
    for (size_t u = 0; u < n; ++u) {
      local.ids.push_back(chunk.user_ids[u]);
      const size_t at = local.categories.size();
      local.categories.resize(at + job.k);
      local.scores.resize(at + job.k);
      top_k(probs.data() + u * C, C, job.k, local.categories.data() + at);
      for (int j = 0; j < job.k; ++j)
        local.scores[at + j] = probs[u * C + local.categories[at + j]];
    }
    if (!job.dump_features.empty() && comm.is_root()) {
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
  if (comm.is_root())
    IMINE_LOG() << "labels: " << total << " users in " << stats.seconds << " s -> " << job.out;
  return stats;
}

}  // namespace imine

#include "imine/train/posterior_head.h"

#include <unistd.h>

#include "imine/nn/eigen.h"
// eigen.h first: it silences Eigen's own warnings.
#include <Eigen/Cholesky>

#include "imine/data/dataset_source.h"
#include "imine/dist/communicator.h"
#include "imine/train/model_io.h"
#include "imine/util/error.h"
#include "imine/util/log.h"

namespace imine {

namespace {
constexpr size_t kBatch = 1024;
}  // namespace

PosteriorAccumulator::PosteriorAccumulator(Model& model) : model_(model) {
  const ModelSpec& spec = model.spec();
  C_ = spec.output_dim;
  H_ = spec.hidden.empty() ? spec.input_dim : spec.hidden.back();
  sums_.assign(static_cast<size_t>(C_) * H_ * H_, 0.0);
  evidence_.assign(static_cast<size_t>(C_), 0.0);
  pending_.dim = static_cast<size_t>(spec.input_dim);
  pending_.num_categories = static_cast<size_t>(C_);
}

void PosteriorAccumulator::add(const ExampleSet& set) {
  IMINE_CHECK(set.num_categories == static_cast<size_t>(C_) && set.dim == pending_.dim)
      << "posterior head: training rows do not fit the model " << model_.spec().describe();
  const bool sparse = model_.spec().sparse_dim > 0;
  IMINE_CHECK(!sparse || set.items.size() == set.size())
      << "posterior head: the model needs item features for " << set.size() << " users";
  const size_t C = static_cast<size_t>(C_);
  for (size_t i = 0; i < set.size(); ++i) {
    pending_.ids.push_back(set.ids[i]);
    pending_.features.insert(pending_.features.end(), set.row(i), set.row(i) + set.dim);
    pending_.targets.insert(pending_.targets.end(), set.targets.begin() + i * C,
                            set.targets.begin() + (i + 1) * C);
    if (sparse) {
      const uint64_t at = set.items.offsets[i];
      SparseRows& it = pending_.items;
      it.index.insert(it.index.end(), set.items.index.begin() + at,
                      set.items.index.begin() + at + set.items.nnz(i));
      it.value.insert(it.value.end(), set.items.value.begin() + at,
                      set.items.value.begin() + at + set.items.nnz(i));
      it.offsets.push_back(it.index.size());
    }
    if (pending_.size() == kBatch) flush();
  }
}

void PosteriorAccumulator::flush() {
  const size_t m = pending_.size();
  if (m == 0) return;
  const ModelSpec& spec = model_.spec();
  const int C = C_, H = H_;
  const size_t HH = static_cast<size_t>(H) * H;
  Eigen::MatrixXf x = Eigen::Map<const Eigen::MatrixXf>(pending_.features.data(),
                                                        static_cast<Eigen::Index>(pending_.dim),
                                                        static_cast<Eigen::Index>(m));
  // A model with a sparse input runs the Layer chain anyway (Model::set_compute): last_hidden
  // takes its item rows as they are. The others go through forward() (inference: no dropout).
  Eigen::MatrixXd h;
  if (spec.sparse_dim > 0) {
    h = last_hidden(model_, x, &pending_.items, 0).cast<double>();
  } else {
    model_.forward(x, ForwardContext{});
    h = model_.last_hidden_output().cast<double>();
  }
  std::vector<Eigen::Index> cols;
  for (int c = 0; c < C; ++c) {
    cols.clear();
    for (size_t u = 0; u < m; ++u) {
      if (pending_.targets[u * C + c]) cols.push_back(static_cast<Eigen::Index>(u));
    }
    if (cols.empty()) continue;
    Eigen::MatrixXd g(H, static_cast<Eigen::Index>(cols.size()));
    for (size_t i = 0; i < cols.size(); ++i) g.col(static_cast<Eigen::Index>(i)) = h.col(cols[i]);
    // Only the lower triangle: it is all the Cholesky factorisation in finish() reads.
    Eigen::Map<Eigen::MatrixXd> a(sums_.data() + static_cast<size_t>(c) * HH, H, H);
    a.selfadjointView<Eigen::Lower>().rankUpdate(g);
    evidence_[c] += static_cast<double>(cols.size());
  }
  pending_.ids.clear();
  pending_.features.clear();
  pending_.targets.clear();
  pending_.items = SparseRows();
}

PosteriorHead PosteriorAccumulator::finish(double lambda, const Communicator& comm) {
  IMINE_CHECK(lambda > 0) << "option --posterior-lambda must be > 0, got " << lambda;
  flush();
  const int C = C_, H = H_;
  const size_t HH = static_cast<size_t>(H) * H;
  comm.allreduce_sum(sums_.data(), sums_.size());
  comm.allreduce_sum(evidence_.data(), evidence_.size());

  PosteriorHead head;
  head.num_categories = C;
  head.hidden = H;
  head.evidence = evidence_;
  head.cov.resize(static_cast<size_t>(C) * HH);
  for (int c = 0; c < C; ++c) {
    Eigen::Map<Eigen::MatrixXd> a(sums_.data() + static_cast<size_t>(c) * HH, H, H);
    a.diagonal().array() += lambda;
    Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(a);  // reads the lower triangle only
    IMINE_CHECK(llt.info() == Eigen::Success)
        << "posterior head: A_c of category " << c << " is not positive definite";
    Eigen::MatrixXd inv = llt.solve(Eigen::MatrixXd::Identity(H, H));
    inv = 0.5 * (inv + inv.transpose());  // exactly symmetric, as PosteriorHead::sigma assumes
    Eigen::Map<Eigen::MatrixXf>(head.cov.data() + static_cast<size_t>(c) * HH, H, H) =
        inv.cast<float>();
  }
  return head;
}

PosteriorHead fit_posterior_head(Model& model, const ExampleSet& train, double lambda,
                                 const Communicator& comm) {
  IMINE_CHECK(lambda > 0) << "option --posterior-lambda must be > 0, got " << lambda;
  PosteriorAccumulator acc(model);
  acc.add(train);
  return acc.finish(lambda, comm);
}

void store_posterior_head(const PosteriorHead& head, Checkpoint* c) {
  c->posterior.rows = static_cast<int64_t>(head.num_categories) * head.hidden;
  c->posterior.cols = head.hidden;
  c->posterior.data = head.cov;
  c->posterior_evidence = head.evidence;
}

PosteriorHead posterior_head_of(const Checkpoint& c) {
  PosteriorHead head;
  if (c.posterior.empty()) return head;
  head.num_categories = static_cast<int>(c.posterior_evidence.size());
  head.hidden = static_cast<int>(c.posterior.cols);
  head.cov = c.posterior.data;
  head.evidence = c.posterior_evidence;
  return head;
}

void add_posterior_head(const std::string& checkpoint_path, const std::string& data, double lambda,
                        const Communicator& comm) {
  comm.barrier();  // rank 0 may still be writing the final checkpoint
  // No best checkpoint when the run had no validation users to pick one by: nothing to extend.
  int exists = comm.is_root() && access(checkpoint_path.c_str(), F_OK) == 0 ? 1 : 0;
  comm.broadcast(&exists, sizeof(exists));
  if (!exists) {
    if (comm.is_root()) {
      IMINE_LOG() << "posterior head skipped: no " << checkpoint_path
                  << " (no validation users); thompson/ucb labels need one";
    }
    return;
  }
  TrainedModel t(read_checkpoint(checkpoint_path));
  Checkpoint& c = t.checkpoint;
  DatasetSource src(data, comm.rank(), comm.size());
  FeatureExtractor fx(src.catalog(), t.input.features);
  const uint32_t buckets = static_cast<uint32_t>(t.input.item_idf.size());
  // One source chunk at a time, so memory does not grow with the shard.
  PosteriorAccumulator acc(t.model);
  for_each_example_chunk(src, fx, t.input.split, t.input.split_key, t.input.val_fraction,
                         t.input.test_fraction, buckets, [&](LocalExamples& part) {
                           select_columns(&part.train, t.input.selection);
                           normalise_rows(&part.train, t.norm);
                           if (buckets > 0) apply_tfidf(t.input.item_idf, &part.train.items);
                           acc.add(part.train);
                         });
  PosteriorHead head = acc.finish(lambda, comm);
  store_posterior_head(head, &c);
  if (comm.is_root()) {
    write_checkpoint(checkpoint_path, c);
    double users = 0;
    for (double e : head.evidence) users += e;
    IMINE_LOG() << "posterior head (H=" << head.hidden << ", lambda=" << lambda << ", " << users
                << " evidence rows) -> " << checkpoint_path;
  }
  comm.barrier();  // nobody reads the checkpoint before rank 0 has replaced it
}

}  // namespace imine

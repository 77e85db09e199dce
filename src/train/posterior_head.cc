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

PosteriorHead fit_posterior_head(const Model& model, const ExampleSet& train, double lambda,
                                 const Communicator& comm) {
  IMINE_CHECK(lambda > 0) << "option --posterior-lambda must be > 0, got " << lambda;
  const ModelSpec& spec = model.spec();
  const int C = spec.output_dim;
  const int H = spec.hidden.empty() ? spec.input_dim : spec.hidden.back();
  IMINE_CHECK(train.num_categories == static_cast<size_t>(C) &&
              train.dim == static_cast<size_t>(spec.input_dim))
      << "posterior head: training rows do not fit the model " << spec.describe();
  const size_t HH = static_cast<size_t>(H) * H;
  std::vector<double> sums(static_cast<size_t>(C) * HH, 0.0), evidence(C, 0.0);
  constexpr size_t kBatch = 1024;
  const size_t n = train.size();
  std::vector<Eigen::Index> cols;
  for (size_t b = 0; b < n; b += kBatch) {
    const size_t m = std::min(kBatch, n - b);
    Eigen::MatrixXf x = Eigen::Map<const Eigen::MatrixXf>(
        train.row(b), static_cast<Eigen::Index>(train.dim), static_cast<Eigen::Index>(m));
    const Eigen::MatrixXd h =
        last_hidden(model, x, spec.sparse_dim > 0 ? &train.items : nullptr, b).cast<double>();
    for (int c = 0; c < C; ++c) {
      cols.clear();
      for (size_t u = 0; u < m; ++u) {
        if (train.targets[(b + u) * C + c]) cols.push_back(static_cast<Eigen::Index>(u));
      }
      if (cols.empty()) continue;
      Eigen::MatrixXd g(H, static_cast<Eigen::Index>(cols.size()));
      for (size_t i = 0; i < cols.size(); ++i) g.col(static_cast<Eigen::Index>(i)) = h.col(cols[i]);
      Eigen::Map<Eigen::MatrixXd> a(sums.data() + static_cast<size_t>(c) * HH, H, H);
      a.noalias() += g * g.transpose();
      evidence[c] += static_cast<double>(cols.size());
    }
  }
  comm.allreduce_sum(sums.data(), sums.size());
  comm.allreduce_sum(evidence.data(), evidence.size());

  PosteriorHead head;
  head.num_categories = C;
  head.hidden = H;
  head.evidence = evidence;
  head.cov.resize(static_cast<size_t>(C) * HH);
  for (int c = 0; c < C; ++c) {
    Eigen::Map<Eigen::MatrixXd> a(sums.data() + static_cast<size_t>(c) * HH, H, H);
    a.diagonal().array() += lambda;
    Eigen::LLT<Eigen::MatrixXd> llt(a);
    IMINE_CHECK(llt.info() == Eigen::Success)
        << "posterior head: A_c of category " << c << " is not positive definite";
    Eigen::MatrixXd inv = llt.solve(Eigen::MatrixXd::Identity(H, H));
    inv = 0.5 * (inv + inv.transpose());  // exactly symmetric, as PosteriorHead::sigma assumes
    Eigen::Map<Eigen::MatrixXf>(head.cov.data() + static_cast<size_t>(c) * HH, H, H) =
        inv.cast<float>();
  }
  return head;
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
  LocalExamples ex = load_examples(src, fx, t.input.split, t.input.split_key, t.input.val_fraction,
                                   t.input.test_fraction, buckets);
  select_columns(&ex.train, t.input.selection);
  normalise_rows(&ex.train, t.norm);
  if (buckets > 0) apply_tfidf(t.input.item_idf, &ex.train.items);
  PosteriorHead head = fit_posterior_head(t.model, ex.train, lambda, comm);
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

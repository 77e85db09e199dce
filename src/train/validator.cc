#include "imine/train/validator.h"

#include <algorithm>

#include "imine/dist/communicator.h"
#include "imine/eval/baselines.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/rng.h"

namespace imine {

namespace {

template <typename T>
std::vector<T> select_rows(const std::vector<T>& data, size_t width,
                           const std::vector<uint32_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size() * width);
  for (uint32_t r : rows) {
    out.insert(out.end(), data.begin() + r * width, data.begin() + (r + 1) * width);
  }
  return out;
}

}  // namespace

Validator::Validator(const ExampleSet& set, const std::vector<float>& popularity, int k,
                     int64_t max_users, uint64_t key, const Communicator& comm)
    : set_(set), comm_(comm), k_(k) {
  int64_t local = static_cast<int64_t>(set.size());
  int64_t total = local;
  comm.allreduce_sum(&total, 1);
  const double fraction = keep_fraction(total, max_users);
  for (size_t i = 0; i < set.size(); ++i) {
    if (keeps(set.ids[i], fraction, key)) keep_.push_back(static_cast<uint32_t>(i));
  }
  total_ = static_cast<int64_t>(keep_.size());
  comm.allreduce_sum(&total_, 1);

  const size_t C = set.num_categories;
  targets_ = comm.gather(select_rows(set.targets, C, keep_));
  input_present_ = comm.gather(select_rows(set.input_present, C, keep_));
  std::vector<float> hist = comm.gather(select_rows(set.hist, C, keep_));
  if (comm.is_root()) {
    const size_t n = targets_.size() / C;
    std::vector<float> scores(n * C);
    pop_scores(popularity, n, scores.data());
    pop_ = imine::evaluate(scores.data(), targets_.data(), input_present_.data(), n, C, k_);
    hist_scores(hist.data(), C, 0, popularity, n, scores.data());
    hist_ = imine::evaluate(scores.data(), targets_.data(), input_present_.data(), n, C, k_);
  }
}

double Validator::keep_fraction(int64_t total, int64_t max_users) {
  return (max_users > 0 && total > max_users) ? static_cast<double>(max_users) / total : 1.0;
}

bool Validator::keeps(uint64_t id, double keep_fraction, uint64_t key) {
  return keep_fraction >= 1.0 ||
         hash_to_unit(hash_keys(key, kStreamSplit, 0x76616c, id)) < keep_fraction;
}

void Validator::score_rows(Model& model, const Loss& loss, const float* rows, size_t n, size_t dim,
                           const SparseRows* items, std::vector<float>* probs) {
  const bool sparse = model.spec().sparse_dim > 0;
  IMINE_CHECK(!sparse || (items && items->size() == n))
      << "scoring: the model needs item features for " << n << " users";
  SparseBatch batch;
  const size_t C = static_cast<size_t>(model.spec().output_dim);
  probs->resize(n * C);
  constexpr size_t kBatch = 1024;
  Eigen::MatrixXf x, p;
  ForwardContext ctx;
  ctx.training = false;
  for (size_t b = 0; b < n; b += kBatch) {
    const size_t m = std::min(kBatch, n - b);
    x = Eigen::Map<const Eigen::MatrixXf>(rows + b * dim, static_cast<Eigen::Index>(dim),
                                          static_cast<Eigen::Index>(m));
    if (sparse) {
      batch.clear();
      for (size_t i = b; i < b + m; ++i) {
        const uint64_t at = items->offsets[i];
        batch.append(items->index.data() + at, items->value.data() + at, items->nnz(i));
      }
    }
    loss.scores(model.forward(x, sparse ? &batch : nullptr, ctx), &p);
    // p is [C x m] column-major: each column is one user's C scores, i.e. a row of probs.
    std::copy(p.data(), p.data() + m * C, probs->data() + b * C);
  }
}

EvalResult Validator::evaluate(Model& model, const Loss& loss) {
  const size_t dim = set_.dim, C = set_.num_categories;
  std::vector<float> rows = select_rows(set_.features, dim, keep_);
  SparseRows items;
  for (uint32_t r : keep_) {
    if (set_.items.size() != set_.size()) break;
    const uint64_t at = set_.items.offsets[r];
    items.index.insert(items.index.end(), set_.items.index.begin() + at,
                       set_.items.index.begin() + at + set_.items.nnz(r));
    items.value.insert(items.value.end(), set_.items.value.begin() + at,
                       set_.items.value.begin() + at + set_.items.nnz(r));
    items.offsets.push_back(items.index.size());
  }
  std::vector<float> probs;
  score_rows(model, loss, rows.data(), keep_.size(), dim, &items, &probs);
  std::vector<float> all = comm_.gather(probs);
  EvalResult r;
  r.users = total_;
  if (comm_.is_root()) {
    r.model =
        imine::evaluate(all.data(), targets_.data(), input_present_.data(), all.size() / C, C, k_);
    r.pop = pop_;
    r.hist = hist_;
  }
  return r;
}

}  // namespace imine

#include "imine/label/policy_scorer.h"

#include <algorithm>
#include <numeric>

#include "imine/data/catalog.h"
#include "imine/util/error.h"

namespace imine {

ChunkScorer::ChunkScorer(const Catalog& catalog, ScoringInputs in, const std::string& where)
    : in_(std::move(in)), fx_(catalog, in_.features) {
  for (int c : in_.selection) {
    IMINE_CHECK(c >= 0 && static_cast<size_t>(c) < fx_.dim())
        << where << ": selected feature " << c << " is outside the " << fx_.dim()
        << " features this dataset gives (different categories or attributes?)";
  }
  const ModelSpec& spec = in_.model->spec();
  dim_ = in_.selection.empty() ? fx_.dim() : in_.selection.size();
  IMINE_CHECK(dim_ == static_cast<size_t>(spec.input_dim))
      << where << ": this dataset gives " << dim_ << " features, the model expects "
      << spec.input_dim << " (different categories or attributes?)";
  buckets_ = static_cast<uint32_t>(in_.item_idf.size());
  IMINE_CHECK(static_cast<int>(buckets_) == spec.sparse_dim)
      << where << ": " << buckets_ << " item buckets for a model with " << spec.sparse_dim;
  C_ = spec.output_dim;
  if (in_.head != nullptr) {
    const int H = spec.hidden.empty() ? spec.input_dim : spec.hidden.back();
    IMINE_CHECK(in_.head->num_categories == C_ && in_.head->hidden == H)
        << where << ": the posterior head (" << in_.head->num_categories << " categories, "
        << in_.head->hidden << " units) does not fit the model " << spec.describe();
  }
  in_.window.validate();
  full_.resize(fx_.dim());
}

void ChunkScorer::score(const UserChunk& chunk, const std::vector<size_t>& users,
                        std::vector<float>* probs, std::vector<float>* sigma) {
  std::vector<size_t> all;
  if (users.empty()) {
    all.resize(chunk.num_users());
    std::iota(all.begin(), all.end(), size_t{0});
  }
  const std::vector<size_t>& list = users.empty() ? all : users;
  const size_t n = list.size();
  rows_.resize(n * dim_);
  items_ = SparseRows();
  for (size_t i = 0; i < n; ++i) {
    const size_t u = list[i];
    const EventRange input = split_user(chunk, u, in_.window).input;
    float* row = rows_.data() + i * dim_;
    if (in_.selection.empty()) {
      fx_.extract(chunk, u, input, row);
    } else {
      fx_.extract(chunk, u, input, full_.data());
      for (size_t j = 0; j < dim_; ++j) row[j] = full_[in_.selection[j]];
    }
    in_.norm->apply(row);
    if (buckets_ > 0) append_item_counts(chunk, u, input, buckets_, &scratch_, &items_);
  }
  if (buckets_ > 0) apply_tfidf(in_.item_idf, &items_);
  probs->resize(n * C_);
  if (sigma) sigma->resize(in_.head ? n * C_ : 0);
  // Every forward pass sees exactly kBatch columns (the tail zero-padded): a product's
  // rounding can depend on its shape, and the batches a rank forms depend on how users are
  // spread over ranks, so this keeps scores, and the labels drawn from them, identical at any np.
  constexpr size_t kBatch = 256;
  Eigen::MatrixXf x = Eigen::MatrixXf::Zero(Eigen::Index(dim_), Eigen::Index(kBatch)), p;
  std::vector<float> sig(kBatch * C_);
  ForwardContext ctx;
  for (size_t b = 0; b < n; b += kBatch) {
    const size_t m = std::min(kBatch, n - b);
    x.setZero();
    x.leftCols(Eigen::Index(m)) = Eigen::Map<const Eigen::MatrixXf>(
        rows_.data() + b * dim_, Eigen::Index(dim_), Eigen::Index(m));
    batch_items_.clear();
    for (size_t i = b; buckets_ > 0 && i < b + kBatch; ++i) {
      if (i >= b + m) {
        batch_items_.append(nullptr, nullptr, 0);
        continue;
      }
      const uint64_t at = items_.offsets[i];
      batch_items_.append(items_.index.data() + at, items_.value.data() + at, items_.nnz(i));
    }
    in_.loss->scores(in_.model->forward(x, buckets_ > 0 ? &batch_items_ : nullptr, ctx), &p);
    std::copy(p.data(), p.data() + m * C_, probs->data() + b * C_);
    if (in_.head != nullptr && sigma != nullptr) {
      // The head's features are the hidden output of the forward pass just run.
      in_.head->sigma(in_.model->last_hidden_output(), sig.data());
      std::copy(sig.begin(), sig.begin() + m * C_, sigma->data() + b * C_);
    }
  }
}

}  // namespace imine

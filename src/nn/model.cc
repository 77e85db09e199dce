#include "imine/nn/model.h"

#include <algorithm>
#include <sstream>

#include "imine/nn/dropout.h"
#include "imine/nn/fused_mlp.h"
#include "imine/nn/linear.h"
#include "imine/nn/relu.h"
#include "imine/nn/wide.h"
#include "imine/util/error.h"

namespace imine {

std::string ModelSpec::describe() const {
  std::ostringstream s;
  s << "in=" << input_dim << " hidden=[";
  for (size_t i = 0; i < hidden.size(); ++i) s << (i ? "," : "") << hidden[i];
  s << "] out=" << output_dim << " dropout=" << dropout;
  if (sparse_dim > 0) s << " sparse=" << sparse_dim;
  if (!wide_inputs.empty()) s << " wide=" << wide_inputs.size();
  if (wide_sparse) s << " wide_sparse";
  return s.str();
}

Model::Model(const ModelSpec& spec) : spec_(spec), params_(std::make_unique<ParamBuffer>()) {
  IMINE_CHECK(spec.input_dim > 0 && spec.output_dim > 0)
      << "model " << spec.describe() << ": input and output sizes must be positive";
  IMINE_CHECK(spec.dropout >= 0.0f && spec.dropout < 1.0f)
      << "model " << spec.describe() << ": dropout must be in [0, 1)";
  int in = spec.input_dim;
  const int num_hidden = static_cast<int>(spec.hidden.size());
  auto add_linear = [&](int out, int index) {
    auto linear = std::make_unique<Linear>(params_.get(), in, out, index);
    linears_.push_back({linear->offset_weight(), linear->offset_bias(), out, in});
    layers_.push_back(std::move(linear));
    in = out;
  };
  for (int k = 0; k < num_hidden; ++k) {
    IMINE_CHECK(spec.hidden[k] > 0)
        << "model " << spec.describe() << ": hidden layer " << k << " has no units";
    add_linear(spec.hidden[k], k);
    layers_.push_back(std::make_unique<Relu>());
    if (spec.dropout > 0.0f) layers_.push_back(std::make_unique<Dropout>(spec.dropout, k));
  }
  add_linear(spec.output_dim, num_hidden);
  // Reserved after the Linear stack, so a model without them has the same layout as before.
  IMINE_CHECK(spec.sparse_dim >= 0 && (!spec.wide_sparse || spec.sparse_dim > 0))
      << "model " << spec.describe() << ": the wide sparse path needs a sparse input";
  if (spec.sparse_dim > 0) {
    const int first_out = num_hidden > 0 ? spec.hidden[0] : spec.output_dim;
    sparse_ = std::make_unique<SparseLinear>(params_.get(), spec.sparse_dim, first_out);
  }
  if (!spec.wide_inputs.empty()) {
    wide_ = std::make_unique<WideLinear>(params_.get(), spec.wide_inputs, spec.input_dim,
                                         spec.output_dim);
  }
  if (spec.wide_sparse) {
    wide_sparse_ = std::make_unique<SparseLinear>(params_.get(), spec.sparse_dim, spec.output_dim);
  }
  set_compute(ComputeOptions{});
}

void Model::set_compute(const ComputeOptions& options) {
  ComputeOptions effective = options;
  if (spec_.sparse_dim > 0) effective.backend = GemmBackend::kEigen;
  IMINE_CHECK(effective.precision == Precision::kFp32 || effective.backend == GemmBackend::kOneDnn)
      << "model " << spec_.describe() << ": bf16 needs the onednn backend and a model without "
      << "sparse input";
  compute_ = effective;
  fused_.reset();
  if (effective.backend == GemmBackend::kOneDnn) {
    fused_ =
        std::make_unique<FusedMlp>(params_.get(), linears_, spec_.dropout, effective.precision);
  }
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

void Model::init(uint64_t seed) {
  for (auto& layer : layers_) layer->init(seed);
  if (sparse_) sparse_->init();
  if (wide_) wide_->init();
  if (wide_sparse_) wide_sparse_->init();
}

const Eigen::MatrixXf& Model::forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) {
  return forward(x, nullptr, ctx);
}

const Eigen::MatrixXf& Model::forward(const Eigen::MatrixXf& x, const SparseBatch* sparse,
                                      const ForwardContext& ctx) {
  IMINE_CHECK(x.rows() == spec_.input_dim)
      << "model " << spec_.describe() << ": input has " << x.rows() << " features";
  IMINE_CHECK((sparse != nullptr) == (spec_.sparse_dim > 0))
      << "model " << spec_.describe() << ": sparse input "
      << (sparse ? "given to a model without one" : "missing");
  IMINE_CHECK(!sparse || sparse->cols() == static_cast<size_t>(x.cols()))
      << "model " << spec_.describe() << ": sparse input has " << sparse->cols()
      << " columns, dense input " << x.cols();
  input_ = &x;
  sparse_input_ = sparse;
  if (fused_) {  // never with a sparse input (set_compute)
    const Eigen::MatrixXf& deep = fused_->forward(x, ctx);
    if (!wide_) return deep;
    logits_ = deep;
    wide_->forward_add(x, &logits_);
    return logits_;
  }
  const Eigen::MatrixXf* h = &layers_[0]->forward(x, ctx);
  if (sparse_) {
    pre_ = *h;
    sparse_->forward_add(*sparse, &pre_);
    h = &pre_;
  }
  // The output Linear is the last layer; what enters it is the last hidden output.
  last_hidden_ = layers_.size() == 1 ? &x : nullptr;
  for (size_t i = 1; i < layers_.size(); ++i) {
    if (i + 1 == layers_.size()) last_hidden_ = h;
    h = &layers_[i]->forward(*h, ctx);
  }
  if (!wide_ && !wide_sparse_) return *h;
  logits_ = *h;
  if (wide_) wide_->forward_add(x, &logits_);
  if (wide_sparse_) wide_sparse_->forward_add(*sparse, &logits_);
  return logits_;
}

const Eigen::MatrixXf& Model::last_hidden_output() {
  IMINE_CHECK(input_ != nullptr) << "model " << spec_.describe() << ": no forward yet";
  if (fused_) return fused_->last_hidden();
  return *last_hidden_;
}

void Model::backward(const Eigen::MatrixXf& dlogits) {
  IMINE_CHECK(input_ != nullptr) << "model " << spec_.describe() << ": backward before forward";
  IMINE_CHECK(dlogits.rows() == spec_.output_dim && dlogits.cols() == input_->cols())
      << "model " << spec_.describe() << ": logit gradient is " << dlogits.rows() << "x"
      << dlogits.cols() << ", expected " << spec_.output_dim << "x" << input_->cols();
  done_slices_.clear();
  if (wide_) {
    wide_->backward(dlogits);
    mark_done(wide_->offset(), wide_weight().size());
  }
  if (wide_sparse_) {
    wide_sparse_->backward(*sparse_input_, dlogits);
    mark_done(wide_sparse_->offset(), wide_sparse_table().size());
  }
  auto linear_done = [&](size_t k) {
    const LinearInfo& l = linears_[k];
    mark_done(l.offset_weight, static_cast<size_t>(l.out) * l.in);
    mark_done(l.offset_bias, static_cast<size_t>(l.out));
  };
  if (fused_) {
    fused_->backward(dlogits, grads_ready_ ? std::function<void(size_t)>(linear_done) : nullptr);
    return;
  }
  const Eigen::MatrixXf* g = &dlogits;
  size_t linear = linears_.size();
  for (size_t i = layers_.size(); i-- > 1;) {
    g = &layers_[i]->backward(*g, true);
    if (dynamic_cast<const Linear*>(layers_[i].get()) != nullptr) linear_done(--linear);
  }
  // *g is now dL/d(first Linear's output), which the sparse product was added to.
  if (sparse_) {
    sparse_->backward(*sparse_input_, *g);
    mark_done(sparse_->offset(), sparse_table().size());
  }
  // The first layer's input gradient (w.r.t. the features) is never used.
  layers_[0]->backward(*g, false);
  linear_done(0);
}

void Model::mark_done(size_t offset, size_t size) {
  if (!grads_ready_) return;
  done_slices_.emplace_back(offset, size);
  // The longest tail of the buffer whose slices are all final (padding between slices has no
  // gradient and counts as final).
  std::vector<std::pair<size_t, size_t>> all = param_slices();
  std::sort(all.begin(), all.end());
  size_t ready = params_->size();
  for (size_t i = all.size(); i-- > 0;) {
    const bool done =
        std::find(done_slices_.begin(), done_slices_.end(), all[i]) != done_slices_.end();
    if (!done) break;
    ready = all[i].first;
  }
  if (ready < params_->size()) grads_ready_(ready);
}

TensorInfo Model::sparse_table() const {
  return sparse_ ? TensorInfo{sparse_->offset(), sparse_->in(), sparse_->out()} : TensorInfo{};
}

TensorInfo Model::wide_weight() const {
  return wide_ ? TensorInfo{wide_->offset(), wide_->out(), static_cast<int>(wide_->inputs().size())}
               : TensorInfo{};
}

TensorInfo Model::wide_sparse_table() const {
  return wide_sparse_ ? TensorInfo{wide_sparse_->offset(), wide_sparse_->in(), wide_sparse_->out()}
                      : TensorInfo{};
}

std::vector<std::pair<size_t, size_t>> Model::param_slices() const {
  std::vector<std::pair<size_t, size_t>> out;
  for (const LinearInfo& l : linears_) {
    out.emplace_back(l.offset_weight, static_cast<size_t>(l.out) * l.in);
    out.emplace_back(l.offset_bias, static_cast<size_t>(l.out));
  }
  for (const TensorInfo& t : {sparse_table(), wide_weight(), wide_sparse_table()}) {
    if (t.size() > 0) out.emplace_back(t.offset, t.size());
  }
  return out;
}

size_t Model::num_weights() const {
  size_t n = 0;
  for (const LinearInfo& l : linears_) n += static_cast<size_t>(l.out) * (l.in + 1);
  return n + sparse_table().size() + wide_weight().size() + wide_sparse_table().size();
}

}  // namespace imine

#include "imine/nn/model.h"

#include <sstream>

#include "imine/nn/dropout.h"
#include "imine/nn/linear.h"
#include "imine/nn/relu.h"
#include "imine/util/error.h"

namespace imine {

std::string ModelSpec::describe() const {
  std::ostringstream s;
  s << "in=" << input_dim << " hidden=[";
  for (size_t i = 0; i < hidden.size(); ++i) s << (i ? "," : "") << hidden[i];
  s << "] out=" << output_dim << " dropout=" << dropout;
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
}

Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

void Model::init(uint64_t seed) {
  for (auto& layer : layers_) layer->init(seed);
}

const Eigen::MatrixXf& Model::forward(const Eigen::MatrixXf& x, const ForwardContext& ctx) {
  IMINE_CHECK(x.rows() == spec_.input_dim)
      << "model " << spec_.describe() << ": input has " << x.rows() << " features";
  input_ = &x;
  const Eigen::MatrixXf* h = &x;
  for (auto& layer : layers_) h = &layer->forward(*h, ctx);
  return *h;
}

void Model::backward(const Eigen::MatrixXf& dlogits) {
  IMINE_CHECK(input_ != nullptr) << "model " << spec_.describe() << ": backward before forward";
  IMINE_CHECK(dlogits.rows() == spec_.output_dim && dlogits.cols() == input_->cols())
      << "model " << spec_.describe() << ": logit gradient is " << dlogits.rows() << "x"
      << dlogits.cols() << ", expected " << spec_.output_dim << "x" << input_->cols();
  const Eigen::MatrixXf* g = &dlogits;
  // The first layer's input gradient (w.r.t. the features) is never used.
  for (size_t i = layers_.size(); i-- > 0;) g = &layers_[i]->backward(*g, i > 0);
}

size_t Model::num_weights() const {
  size_t n = 0;
  for (const LinearInfo& l : linears_) n += static_cast<size_t>(l.out) * (l.in + 1);
  return n;
}

}  // namespace imine

#include "imine/train/model_io.h"

#include <sstream>
#include <utility>

#include "imine/util/error.h"

namespace imine {

namespace {

const std::string& attr(const Checkpoint& c, const std::string& name) {
  for (const auto& [k, v] : c.string_attrs)
    if (k == name) return v;
  IMINE_FAIL() << "checkpoint has no attribute '" << name << "'";
}

std::string join_strings(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}

std::vector<std::string> split_strings(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

std::vector<int> split_ints(const std::string& s) {
  std::vector<int> out;
  for (const auto& item : split_strings(s)) {
    try {
      out.push_back(std::stoi(item));
    } catch (const std::exception&) {
      IMINE_FAIL() << "bad integer list '" << s << "'";
    }
  }
  return out;
}

namespace {

CheckpointTensor tensor_of(const ParamBuffer& p, const TensorInfo& t) {
  CheckpointTensor out;
  if (t.size() == 0) return out;
  out.rows = t.rows;
  out.cols = t.cols;
  out.data.assign(p.params() + t.offset, p.params() + t.offset + t.size());
  return out;
}

void load_tensor(const CheckpointTensor& c, const TensorInfo& t, const char* what, float* p) {
  IMINE_CHECK(c.rows == t.rows && c.cols == t.cols)
      << "checkpoint " << what << " is [" << c.rows << "," << c.cols << "], the model's [" << t.rows
      << "," << t.cols << "]";
  std::copy(c.data.begin(), c.data.end(), p + t.offset);
}

std::string double_text(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

const std::string* find_attr(const Checkpoint& c, const std::string& name) {
  for (const auto& [k, v] : c.string_attrs)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace

Checkpoint make_checkpoint(const TrainingState& s) {
  Checkpoint c;
  const Model& m = *s.model;
  const ParamBuffer& p = m.params();
  const auto& linears = m.linear_layers();
  for (size_t i = 0; i < linears.size(); ++i) {
    const LinearInfo& li = linears[i];
    CheckpointLayer layer;
    layer.out = li.out;
    layer.in = li.in;
    const float* w = p.params() + li.offset_weight;
    layer.weight.assign(w, w + static_cast<size_t>(li.out) * li.in);
    const float* b = p.params() + li.offset_bias;
    layer.bias.assign(b, b + li.out);
    layer.activation = i + 1 < linears.size() ? "relu" : "none";
    c.layers.push_back(std::move(layer));
  }
  c.sparse = tensor_of(p, m.sparse_table());
  c.wide = tensor_of(p, m.wide_weight());
  c.wide_inputs.assign(m.spec().wide_inputs.begin(), m.spec().wide_inputs.end());
  c.wide_sparse = tensor_of(p, m.wide_sparse_table());
  c.item_idf = s.item_idf;
  c.feature_selection.assign(s.selection.begin(), s.selection.end());
  c.optimizer = s.optimizer->name();
  const auto slices = m.param_slices();
  for (auto& [name, vec] : s.optimizer->state()) {
    std::vector<float> packed;
    packed.reserve(m.num_weights());
    for (const auto& [off, n] : slices)
      packed.insert(packed.end(), vec->begin() + off, vec->begin() + off + n);
    c.optimizer_state.emplace_back(name, std::move(packed));
  }
  c.optimizer_step = s.optimizer->t();
  c.norm_mean = s.norm->mean();
  c.norm_std = s.norm->stddev();
  c.feature_names = s.features->feature_names();
  if (!s.selection.empty()) {
    std::vector<std::string> selected;
    for (int i : s.selection) selected.push_back(c.feature_names.at(static_cast<size_t>(i)));
    c.feature_names = std::move(selected);
  }
  c.category_names = s.category_names;
  c.category_popularity.assign(s.popularity.begin(), s.popularity.end());
  c.step = s.step;
  c.epoch = s.epoch;
  c.seed = static_cast<int64_t>(s.seed);
  c.data_position = {s.epoch, s.step};
  c.config_ini = s.config_ini;
  const FeatureConfig& fc = s.features->config();
  std::ostringstream hl;
  hl.precision(17);
  hl << fc.half_life_days;
  c.string_attrs = {
      {"model_hidden", join_ints(m.spec().hidden)},
      {"model_dropout", std::to_string(m.spec().dropout)},
      {"loss", s.loss_name},
      {"feature_half_life_days", hl.str()},
      {"feature_event_types", join_ints(fc.event_types)},
      {"feature_attribute_cardinalities", join_ints(fc.attribute_cardinalities)},
      {"feature_attribute_names", join_strings(fc.attribute_names)},
      {"feature_t_ref", std::to_string(fc.t_ref)},
  };
  if (s.split) {
    const char* mode = s.split->mode == SplitMode::kCutoff ? "cutoff" : "per-user";
    c.string_attrs.insert(c.string_attrs.end(),
                          {{"split_mode", mode},
                           {"split_target_fraction", double_text(s.split->target_fraction)},
                           {"split_cutoff", std::to_string(s.split->cutoff)},
                           {"split_horizon", std::to_string(s.split->horizon)},
                           {"split_key", std::to_string(s.split_key)},
                           {"split_val_fraction", double_text(s.val_fraction)},
                           {"split_test_fraction", double_text(s.test_fraction)}});
  }
  return c;
}

ModelSpec model_spec_of(const Checkpoint& c) {
  IMINE_CHECK(!c.layers.empty()) << "checkpoint has no layers";
  ModelSpec spec;
  spec.input_dim = static_cast<int>(c.layers.front().in);
  spec.output_dim = static_cast<int>(c.layers.back().out);
  for (size_t i = 0; i + 1 < c.layers.size(); ++i)
    spec.hidden.push_back(static_cast<int>(c.layers[i].out));
  spec.dropout = std::stof(attr(c, "model_dropout"));
  spec.sparse_dim = static_cast<int>(c.sparse.rows);
  spec.wide_inputs.assign(c.wide_inputs.begin(), c.wide_inputs.end());
  spec.wide_sparse = !c.wide_sparse.empty();
  return spec;
}

FeatureConfig feature_config_of(const Checkpoint& c) {
  FeatureConfig fc;
  fc.half_life_days = std::stod(attr(c, "feature_half_life_days"));
  fc.event_types = split_ints(attr(c, "feature_event_types"));
  fc.attribute_cardinalities = split_ints(attr(c, "feature_attribute_cardinalities"));
  fc.attribute_names = split_strings(attr(c, "feature_attribute_names"));
  fc.t_ref = std::stoll(attr(c, "feature_t_ref"));
  return fc;
}

std::string loss_name_of(const Checkpoint& c) { return attr(c, "loss"); }

InputSpec input_spec_of(const Checkpoint& c) {
  InputSpec in;
  in.features = feature_config_of(c);
  in.selection.assign(c.feature_selection.begin(), c.feature_selection.end());
  in.item_idf = c.item_idf;
  if (const std::string* mode = find_attr(c, "split_mode")) {
    in.split.mode = *mode == "cutoff" ? SplitMode::kCutoff : SplitMode::kPerUser;
    in.split.target_fraction = std::stod(attr(c, "split_target_fraction"));
    in.split.cutoff = std::stoll(attr(c, "split_cutoff"));
    in.split.horizon = std::stoll(attr(c, "split_horizon"));
    in.split_key = std::stoull(attr(c, "split_key"));
    in.val_fraction = std::stod(attr(c, "split_val_fraction"));
    in.test_fraction = std::stod(attr(c, "split_test_fraction"));
  }
  return in;
}

void load_params(const Checkpoint& c, Model* model) {
  const auto& linears = model->linear_layers();
  IMINE_CHECK(linears.size() == c.layers.size())
      << "checkpoint has " << c.layers.size() << " layers, the model " << linears.size();
  float* p = model->params().params();
  for (size_t i = 0; i < linears.size(); ++i) {
    const LinearInfo& li = linears[i];
    const CheckpointLayer& l = c.layers[i];
    IMINE_CHECK(l.out == li.out && l.in == li.in)
        << "checkpoint layer " << i << " is [" << l.out << "," << l.in << "], the model's ["
        << li.out << "," << li.in << "]";
    std::copy(l.weight.begin(), l.weight.end(), p + li.offset_weight);
    std::copy(l.bias.begin(), l.bias.end(), p + li.offset_bias);
  }
  load_tensor(c.sparse, model->sparse_table(), "/model/sparse/weight", p);
  load_tensor(c.wide, model->wide_weight(), "/model/wide/weight", p);
  load_tensor(c.wide_sparse, model->wide_sparse_table(), "/model/wide_sparse/weight", p);
}

void load_optimizer(const Checkpoint& c, const Model& model, Optimizer* opt) {
  IMINE_CHECK(c.optimizer == opt->name()) << "checkpoint was trained with optimizer " << c.optimizer
                                          << ", this run uses " << opt->name();
  auto state = opt->state();
  IMINE_CHECK(state.size() == c.optimizer_state.size()) << "optimizer state does not match";
  for (size_t i = 0; i < state.size(); ++i) {
    IMINE_CHECK(state[i].first == c.optimizer_state[i].first &&
                model.num_weights() == c.optimizer_state[i].second.size())
        << "optimizer state '" << c.optimizer_state[i].first << "' does not match the model";
    std::vector<float>& dst = *state[i].second;
    std::fill(dst.begin(), dst.end(), 0.0f);
    const float* src = c.optimizer_state[i].second.data();
    for (const auto& [off, n] : model.param_slices()) {
      std::copy(src, src + n, dst.begin() + off);
      src += n;
    }
  }
  opt->set_t(c.optimizer_step);
}

TrainedModel::TrainedModel(Checkpoint c)
    : checkpoint(std::move(c)),
      model(model_spec_of(checkpoint)),
      norm(checkpoint.norm_mean.size()),
      input(input_spec_of(checkpoint)),
      loss_name(loss_name_of(checkpoint)) {
  load_params(checkpoint, &model);
  norm.restore(checkpoint.norm_mean, checkpoint.norm_std);
}

}  // namespace imine

#include "imine/train/model_io.h"

#include <sstream>

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
  c.optimizer = s.optimizer->name();
  for (auto& [name, vec] : s.optimizer->state()) c.optimizer_state.emplace_back(name, *vec);
  c.optimizer_step = s.optimizer->t();
  c.norm_mean = s.norm->mean();
  c.norm_std = s.norm->stddev();
  c.feature_names = s.features->feature_names();
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
}

void load_optimizer(const Checkpoint& c, Optimizer* opt) {
  IMINE_CHECK(c.optimizer == opt->name()) << "checkpoint was trained with optimizer " << c.optimizer
                                          << ", this run uses " << opt->name();
  auto state = opt->state();
  IMINE_CHECK(state.size() == c.optimizer_state.size()) << "optimizer state does not match";
  for (size_t i = 0; i < state.size(); ++i) {
    IMINE_CHECK(state[i].first == c.optimizer_state[i].first &&
                state[i].second->size() == c.optimizer_state[i].second.size())
        << "optimizer state '" << c.optimizer_state[i].first << "' does not match the model";
    *state[i].second = c.optimizer_state[i].second;
  }
  opt->set_t(c.optimizer_step);
}

}  // namespace imine

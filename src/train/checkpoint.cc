#include "imine/train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "imine/h5/h5.h"
#include "imine/util/atomic_file.h"
#include "imine/util/error.h"
#include "imine/util/hash.h"
#include "imine/util/log.h"

namespace imine {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMaxLayers = 1024;
// Root attributes the format itself uses; extra string attributes must not shadow them.
// clang-format off
constexpr const char* kReservedRootAttrs[] = {
    "schema", "schema_version", "step", "epoch", "seed", "best_metric", "best_metric_name",
    "content_checksum", "imine_version", "extra_attr_names", "metric_names"};
// clang-format on

template <typename T>
void check_finite(const std::vector<T>& v, const std::string& context, const std::string& name) {
  for (size_t i = 0; i < v.size(); ++i) {
    IMINE_CHECK(std::isfinite(v[i]))
        << context << ": " << name << "[" << i << "] is not finite (" << v[i] << ")";
  }
}

void check_unique_names(const std::vector<std::string>& names, const std::string& context,
                        const std::string& what) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    IMINE_CHECK(!n.empty()) << context << ": empty " << what << " name";
    IMINE_CHECK(seen.insert(n).second)
        << context << ": duplicate " << what << " name '" << n << "'";
  }
}

std::string layer_path(size_t i) { return "/model/layers/" + std::to_string(i); }

template <typename T>
void checksum_vector(Checksum64* sum, const std::vector<T>& v) {
  sum->update_array(v.data(), v.size());
}

void checksum_strings(Checksum64* sum, const std::vector<std::string>& v) {
  const char zero = '\0';
  for (const auto& s : v) {
    sum->update(s.data(), s.size());
    sum->update(&zero, 1);
  }
}

void checksum_int(Checksum64* sum, int64_t v) { sum->update(&v, sizeof v); }

std::string hex64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// Reads a float vector with an expected shape, so a wrong shape is reported before allocation.
template <typename T>
std::vector<T> read_vector(const h5::File& f, const std::string& path,
                           const h5::ReadLimits& limits) {
  h5::Dataset d(f, path);
  d.require_rank(1);
  std::vector<T> v;
  d.read_all(&v, limits);
  return v;
}

void check_tensor(const CheckpointTensor& t, int64_t rows, int64_t cols, const std::string& context,
                  const std::string& path) {
  IMINE_CHECK(t.rows == rows && t.cols == cols &&
              static_cast<int64_t>(t.data.size()) == rows * cols)
      << context << ": " << path << " is [" << t.rows << ", " << t.cols << "] with "
      << t.data.size() << " values, expected [" << rows << ", " << cols << "]";
  check_finite(t.data, context, path);
}

// The optional parts of docs/file-formats.md: feature selection, item features, wide path.
void validate_optional_parts(const Checkpoint& c, const std::string& context) {
  const int64_t d = c.layers.front().in, C = c.layers.back().out;
  constexpr int64_t kMaxBuckets = int64_t{1} << 24;
  if (!c.feature_selection.empty()) {
    IMINE_CHECK(static_cast<int64_t>(c.feature_selection.size()) == d)
        << context << ": /features/selected has " << c.feature_selection.size()
        << " entries but the first layer takes " << d << " inputs";
    for (size_t i = 0; i < c.feature_selection.size(); ++i) {
      IMINE_CHECK(c.feature_selection[i] >= 0 &&
                  (i == 0 || c.feature_selection[i] > c.feature_selection[i - 1]))
          << context << ": /features/selected[" << i << "] = " << c.feature_selection[i]
          << " is negative or not ascending";
    }
  }
  const int64_t B = static_cast<int64_t>(c.item_idf.size());
  IMINE_CHECK(B <= kMaxBuckets) << context << ": /features/item_idf has " << B
                                << " buckets, more than " << kMaxBuckets;
  check_finite(c.item_idf, context, "/features/item_idf");
  IMINE_CHECK(B == 0 || !c.sparse.empty())
      << context << ": /features/item_idf without /model/sparse/weight";
  if (!c.sparse.empty()) {
    IMINE_CHECK(B > 0) << context << ": /model/sparse/weight without /features/item_idf";
    check_tensor(c.sparse, B, c.layers.front().out, context, "/model/sparse/weight");
  }
  if (!c.wide_sparse.empty()) {
    IMINE_CHECK(B > 0) << context << ": /model/wide_sparse/weight without /features/item_idf";
    check_tensor(c.wide_sparse, B, C, context, "/model/wide_sparse/weight");
  }
  IMINE_CHECK(c.posterior.empty() == c.posterior_evidence.empty())
      << context << ": /model/posterior/weight and /model/posterior/evidence must come together";
  if (!c.posterior.empty()) {
    const int64_t H = c.layers.back().in;
    check_tensor(c.posterior, C * H, H, context, "/model/posterior/weight");
    IMINE_CHECK(static_cast<int64_t>(c.posterior_evidence.size()) == C)
        << context << ": /model/posterior/evidence has " << c.posterior_evidence.size()
        << " entries for " << C << " categories";
    check_finite(c.posterior_evidence, context, "/model/posterior/evidence");
  }
  IMINE_CHECK(c.wide.empty() == c.wide_inputs.empty())
      << context << ": /model/wide/weight and /model/wide/inputs must come together";
  if (!c.wide.empty()) {
    check_tensor(c.wide, C, static_cast<int64_t>(c.wide_inputs.size()), context,
                 "/model/wide/weight");
    for (size_t i = 0; i < c.wide_inputs.size(); ++i) {
      IMINE_CHECK(c.wide_inputs[i] >= 0 && c.wide_inputs[i] < d)
          << context << ": /model/wide/inputs[" << i << "] = " << c.wide_inputs[i]
          << " is outside [0, " << d << ")";
    }
  }
}

}  // namespace

int64_t Checkpoint::num_params() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l.out * l.in + l.out;
  return n + static_cast<int64_t>(sparse.data.size() + wide.data.size() + wide_sparse.data.size());
}

void validate_checkpoint(const Checkpoint& c, const std::string& context) {
  IMINE_CHECK(!c.layers.empty()) << context << ": checkpoint has no layers";
  IMINE_CHECK(static_cast<int64_t>(c.layers.size()) <= kMaxLayers)
      << context << ": " << c.layers.size() << " layers exceed the limit of " << kMaxLayers;
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const CheckpointLayer& l = c.layers[i];
    std::string p = layer_path(i);
    IMINE_CHECK(l.out > 0 && l.in > 0 && l.out <= (int64_t{1} << 30) / l.in)
        << context << ": " << p << "/weight has shape [" << l.out << ", " << l.in << "]";
    IMINE_CHECK(static_cast<int64_t>(l.weight.size()) == l.out * l.in)
        << context << ": " << p << "/weight has " << l.weight.size() << " values, expected "
        << l.out << " x " << l.in;
    IMINE_CHECK(static_cast<int64_t>(l.bias.size()) == l.out)
        << context << ": " << p << "/bias has " << l.bias.size() << " values, expected " << l.out;
    IMINE_CHECK(i == 0 || l.in == c.layers[i - 1].out)
        << context << ": " << p << " takes " << l.in << " inputs but layer " << i - 1
        << " produces " << c.layers[i - 1].out;
    IMINE_CHECK(l.activation == "relu" || l.activation == "none")
        << context << ": " << p << " activation '" << l.activation
        << "' (expected 'relu' or 'none')";
    check_finite(l.weight, context, p + "/weight");
    check_finite(l.bias, context, p + "/bias");
  }
  const int64_t d = c.layers.front().in;
  IMINE_CHECK(static_cast<int64_t>(c.feature_names.size()) == d)
      << context << ": /features/names has " << c.feature_names.size()
      << " entries but the first layer takes " << d << " inputs";
  IMINE_CHECK(static_cast<int64_t>(c.norm_mean.size()) == d)
      << context << ": /features/norm_mean has " << c.norm_mean.size() << " values, expected " << d;
  IMINE_CHECK(static_cast<int64_t>(c.norm_std.size()) == d)
      << context << ": /features/norm_std has " << c.norm_std.size() << " values, expected " << d;
  check_finite(c.norm_mean, context, "/features/norm_mean");
  check_finite(c.norm_std, context, "/features/norm_std");
  for (size_t i = 0; i < c.norm_std.size(); ++i) {
    IMINE_CHECK(c.norm_std[i] > 0)
        << context << ": /features/norm_std[" << i << "] = " << c.norm_std[i] << " is not positive";
  }
  check_unique_names(c.feature_names, context, "feature");
  validate_optional_parts(c, context);

  const int64_t k = c.layers.back().out;
  IMINE_CHECK(static_cast<int64_t>(c.category_names.size()) == k)
      << context << ": /categories/name has " << c.category_names.size()
      << " entries but the last layer produces " << k << " outputs";
  IMINE_CHECK(c.category_popularity.size() == c.category_names.size())
      << context << ": /categories/popularity has " << c.category_popularity.size()
      << " values, expected " << c.category_names.size();
  check_finite(c.category_popularity, context, "/categories/popularity");
  check_unique_names(c.category_names, context, "category");

  std::vector<std::string> state_names;
  for (const auto& [name, v] : c.optimizer_state) {
    IMINE_CHECK(name.find('/') == std::string::npos && name != "." && name != "..")
        << context << ": optimizer state name '" << name << "' is not a valid dataset name";
    IMINE_CHECK(static_cast<int64_t>(v.size()) == c.num_params())
        << context << ": /optimizer/" << name << " has " << v.size() << " values, expected "
        << c.num_params() << " (one per parameter)";
    check_finite(v, context, "/optimizer/" + name);
    state_names.push_back(name);
  }
  check_unique_names(state_names, context, "optimizer state");
  IMINE_CHECK(c.optimizer_state.empty() || !c.optimizer.empty())
      << context << ": optimizer state without an optimizer name";

  IMINE_CHECK(c.step >= 0 && c.epoch >= 0 && c.optimizer_step >= 0)
      << context << ": negative step (" << c.step << "), epoch (" << c.epoch
      << ") or optimizer step (" << c.optimizer_step << ")";
  IMINE_CHECK(std::isfinite(c.best_metric))
      << context << ": best_metric " << c.best_metric << " is not finite";

  std::vector<std::string> extra;
  for (const auto& [name, value] : c.string_attrs) {
    for (const char* r : kReservedRootAttrs) {
      IMINE_CHECK(name != r) << context << ": extra attribute '" << name << "' is reserved";
    }
    extra.push_back(name);
  }
  check_unique_names(extra, context, "extra attribute");
  std::vector<std::string> metric_names;
  for (const auto& m : c.metrics) metric_names.push_back(m.first);
  check_unique_names(metric_names, context, "metric");
}

uint64_t checkpoint_content_checksum(const Checkpoint& c) {
  Checksum64 sum;
  checksum_int(&sum, c.step);
  checksum_int(&sum, c.epoch);
  checksum_int(&sum, c.seed);
  checksum_int(&sum, c.optimizer_step);
  for (const auto& l : c.layers) {
    checksum_int(&sum, l.out);
    checksum_int(&sum, l.in);
    checksum_vector(&sum, l.weight);
    checksum_vector(&sum, l.bias);
  }
  for (const auto& s : c.optimizer_state) checksum_vector(&sum, s.second);
  checksum_vector(&sum, c.norm_mean);
  checksum_vector(&sum, c.norm_std);
  checksum_vector(&sum, c.category_popularity);
  checksum_vector(&sum, c.rng_state);
  checksum_vector(&sum, c.data_position);
  checksum_strings(&sum, c.feature_names);
  checksum_strings(&sum, c.category_names);
  checksum_strings(&sum, {c.config_ini});
  // The optional parts, only when present, so files without them keep their checksum.
  if (!c.feature_selection.empty()) checksum_vector(&sum, c.feature_selection);
  if (!c.item_idf.empty()) checksum_vector(&sum, c.item_idf);
  for (const CheckpointTensor* t : {&c.sparse, &c.wide, &c.wide_sparse, &c.posterior}) {
    if (t->empty()) continue;
    checksum_int(&sum, t->rows);
    checksum_int(&sum, t->cols);
    checksum_vector(&sum, t->data);
  }
  if (!c.wide_inputs.empty()) checksum_vector(&sum, c.wide_inputs);
  if (!c.posterior_evidence.empty()) checksum_vector(&sum, c.posterior_evidence);
  return sum.value();
}

void write_checkpoint(const std::string& path, const Checkpoint& c) {
  validate_checkpoint(c, path);
  AtomicOutput out(path);
  h5::File f = h5::File::create(out.temp_path());
  // Float weights barely compress, and a checkpoint is written on the training path.
  h5::WriteOptions opt;
  opt.deflate_level = 0;

  h5::write_schema(f, kCheckpointSchema, kCheckpointVersion);
  h5::set_attr(f, "/", "imine_version", std::string(IMINE_VERSION));
  h5::set_attr(f, "/", "step", c.step);
  h5::set_attr(f, "/", "epoch", c.epoch);
  h5::set_attr(f, "/", "seed", c.seed);
  h5::set_attr(f, "/", "best_metric", c.best_metric);
  h5::set_attr(f, "/", "best_metric_name", c.best_metric_name);
  h5::set_attr(f, "/", "content_checksum", hex64(checkpoint_content_checksum(c)));

  h5::create_group(f, "/model/layers");
  h5::set_attr(f, "/model", "num_layers", static_cast<int64_t>(c.layers.size()));
  for (size_t i = 0; i < c.layers.size(); ++i) {
    const CheckpointLayer& l = c.layers[i];
    std::string p = layer_path(i);
    h5::create_group(f, p);
    h5::set_attr(f, p, "activation", l.activation);
    h5::write_dataset(f, p + "/weight", l.weight.data(),
                      {static_cast<hsize_t>(l.out), static_cast<hsize_t>(l.in)}, opt);
    h5::write_vector(f, p + "/bias", l.bias, opt);
  }

  h5::create_group(f, "/optimizer");
  h5::set_attr(f, "/optimizer", "name", c.optimizer);
  h5::set_attr(f, "/optimizer", "step", c.optimizer_step);
  std::vector<std::string> state_names;
  for (const auto& [name, v] : c.optimizer_state) {
    h5::write_vector(f, "/optimizer/" + name, v, opt);
    state_names.push_back(name);
  }
  // Attributes cannot hold empty arrays portably, so an absent list means "none".
  if (!state_names.empty()) h5::set_attr(f, "/optimizer", "names", state_names);

  h5::write_vector(f, "/features/norm_mean", c.norm_mean, opt);
  h5::write_vector(f, "/features/norm_std", c.norm_std, opt);
  h5::write_strings(f, "/features/names", c.feature_names);
  h5::write_strings(f, "/categories/name", c.category_names);
  h5::write_vector(f, "/categories/popularity", c.category_popularity, opt);
  h5::write_vector(f, "/state/rng", c.rng_state, opt);
  h5::write_vector(f, "/state/data_position", c.data_position, opt);
  // A dataset, not an attribute: attributes are capped at 64 KiB in the portable file format.
  h5::write_strings(f, "/config", {c.config_ini});
  if (!c.feature_selection.empty())
    h5::write_vector(f, "/features/selected", c.feature_selection, opt);
  if (!c.item_idf.empty()) h5::write_vector(f, "/features/item_idf", c.item_idf, opt);
  for (const auto& [t, name] :
       {std::pair{&c.sparse, "sparse"}, std::pair{&c.wide, "wide"},
        std::pair{&c.wide_sparse, "wide_sparse"}, std::pair{&c.posterior, "posterior"}}) {
    if (t->empty()) continue;
    h5::write_dataset(f, std::string("/model/") + name + "/weight", t->data.data(),
                      {static_cast<hsize_t>(t->rows), static_cast<hsize_t>(t->cols)}, opt);
  }
  if (!c.wide_inputs.empty()) h5::write_vector(f, "/model/wide/inputs", c.wide_inputs, opt);
  if (!c.posterior_evidence.empty())
    h5::write_vector(f, "/model/posterior/evidence", c.posterior_evidence, opt);

  std::vector<std::string> extra;
  for (const auto& [name, value] : c.string_attrs) {
    h5::set_attr(f, "/", name, value);
    extra.push_back(name);
  }
  if (!extra.empty()) h5::set_attr(f, "/", "extra_attr_names", extra);

  h5::create_group(f, "/metrics");
  std::vector<std::string> metric_names;
  for (const auto& [name, value] : c.metrics) {
    h5::set_attr(f, "/metrics", name, value);
    metric_names.push_back(name);
  }
  if (!metric_names.empty()) h5::set_attr(f, "/", "metric_names", metric_names);

  f.close();
  out.commit();
}

Checkpoint read_checkpoint(const std::string& path) {
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, kCheckpointSchema, kCheckpointVersion, kCheckpointVersion);
  h5::ReadLimits limits;
  limits.max_elements = uint64_t{1} << 30;

  Checkpoint c;
  c.step = h5::get_attr_int(f, "/", "step");
  c.epoch = h5::get_attr_int(f, "/", "epoch");
  c.seed = h5::get_attr_int(f, "/", "seed");
  c.best_metric = h5::get_attr_double(f, "/", "best_metric");
  c.best_metric_name = h5::get_attr_string(f, "/", "best_metric_name");

  int64_t num_layers = h5::get_attr_int(f, "/model", "num_layers");
  IMINE_CHECK(num_layers >= 1 && num_layers <= kMaxLayers)
      << h5::where(f, "/model") << ": num_layers = " << num_layers;
  for (int64_t i = 0; i < num_layers; ++i) {
    std::string p = layer_path(static_cast<size_t>(i));
    CheckpointLayer l;
    l.activation = h5::get_attr_string(f, p, "activation");
    h5::Dataset w(f, p + "/weight");
    w.require_rank(2);
    l.out = static_cast<int64_t>(w.dims()[0]);
    l.in = static_cast<int64_t>(w.dims()[1]);
    w.read_all(&l.weight, limits);
    l.bias = read_vector<float>(f, p + "/bias", limits);
    c.layers.push_back(std::move(l));
  }

  c.optimizer = h5::get_attr_string(f, "/optimizer", "name");
  c.optimizer_step = h5::get_attr_int(f, "/optimizer", "step");
  if (h5::has_attr(f, "/optimizer", "names")) {
    for (const auto& name : h5::get_attr_strings(f, "/optimizer", "names")) {
      IMINE_CHECK(name.find('/') == std::string::npos && !name.empty())
          << h5::where(f, "/optimizer") << ": bad state name '" << name << "'";
      c.optimizer_state.emplace_back(name, read_vector<float>(f, "/optimizer/" + name, limits));
    }
  }

  c.norm_mean = read_vector<double>(f, "/features/norm_mean", limits);
  c.norm_std = read_vector<double>(f, "/features/norm_std", limits);
  c.feature_names = h5::Dataset(f, "/features/names").read_strings(limits);
  c.category_names = h5::Dataset(f, "/categories/name").read_strings(limits);
  c.category_popularity = read_vector<double>(f, "/categories/popularity", limits);
  c.rng_state = read_vector<uint64_t>(f, "/state/rng", limits);
  c.data_position = read_vector<int64_t>(f, "/state/data_position", limits);
  std::vector<std::string> config = h5::Dataset(f, "/config").read_strings(limits);
  IMINE_CHECK(config.size() == 1) << h5::where(f, "/config") << ": expected one string, found "
                                  << config.size();
  c.config_ini = std::move(config[0]);

  if (h5::exists(f, "/features/selected"))
    c.feature_selection = read_vector<int64_t>(f, "/features/selected", limits);
  if (h5::exists(f, "/features/item_idf"))
    c.item_idf = read_vector<double>(f, "/features/item_idf", limits);
  for (const auto& [t, name] :
       {std::pair{&c.sparse, "sparse"}, std::pair{&c.wide, "wide"},
        std::pair{&c.wide_sparse, "wide_sparse"}, std::pair{&c.posterior, "posterior"}}) {
    const std::string path = std::string("/model/") + name + "/weight";
    if (!h5::exists(f, path)) continue;
    h5::Dataset w(f, path);
    w.require_rank(2);
    t->rows = static_cast<int64_t>(w.dims()[0]);
    t->cols = static_cast<int64_t>(w.dims()[1]);
    w.read_all(&t->data, limits);
  }
  if (h5::exists(f, "/model/wide/inputs"))
    c.wide_inputs = read_vector<int64_t>(f, "/model/wide/inputs", limits);
  if (h5::exists(f, "/model/posterior/evidence"))
    c.posterior_evidence = read_vector<double>(f, "/model/posterior/evidence", limits);

  if (h5::has_attr(f, "/", "extra_attr_names")) {
    for (const auto& name : h5::get_attr_strings(f, "/", "extra_attr_names")) {
      c.string_attrs.emplace_back(name, h5::get_attr_string(f, "/", name));
    }
  }
  if (h5::has_attr(f, "/", "metric_names")) {
    for (const auto& name : h5::get_attr_strings(f, "/", "metric_names")) {
      c.metrics.emplace_back(name, h5::get_attr_double(f, "/metrics", name));
    }
  }

  validate_checkpoint(c, path);
  std::string stored = h5::get_attr_string(f, "/", "content_checksum");
  std::string computed = hex64(checkpoint_content_checksum(c));
  IMINE_CHECK(stored == computed) << path << ": content checksum mismatch (stored " << stored
                                  << ", computed " << computed << "): the checkpoint is corrupt";
  return c;
}

}  // namespace imine

#include "imine/features/feature_extractor.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "imine/util/error.h"

namespace imine {

namespace {
constexpr double kSecondsPerDay = 86400.0;
}  // namespace

FeatureExtractor::FeatureExtractor(const Catalog& catalog, FeatureConfig config)
    : catalog_(catalog), config_(std::move(config)), num_categories_(catalog.num_categories()) {
  IMINE_CHECK(num_categories_ > 0) << "features: the catalog has no categories";
  IMINE_CHECK(config_.half_life_days > 0)
      << "features: recency half-life " << config_.half_life_days << " days must be positive";
  std::fill(std::begin(type_slot_), std::end(type_slot_), -1);
  for (size_t i = 0; i < config_.event_types.size(); ++i) {
    const int t = config_.event_types[i];
    IMINE_CHECK(t >= 0 && t < kNumEventTypes)
        << "features: event type " << t << " is not in [0, " << kNumEventTypes << ")";
    IMINE_CHECK(type_slot_[t] < 0)
        << "features: event type " << event_type_name(t) << " is listed twice";
    type_slot_[t] = static_cast<int>(i);
  }
  for (int card : config_.attribute_cardinalities) {
    IMINE_CHECK(card > 0) << "features: attribute cardinality " << card << " must be positive";
  }
  IMINE_CHECK(config_.attribute_names.empty() ||
              config_.attribute_names.size() == config_.attribute_cardinalities.size())
      << "features: " << config_.attribute_names.size() << " attribute names for "
      << config_.attribute_cardinalities.size() << " attribute cardinalities";
  const size_t hists = 2 + config_.event_types.size();
  activity_offset_ = hists * num_categories_;
  attribute_offset_ = activity_offset_ + kNumActivity;
  dim_ = attribute_offset_;
  for (int card : config_.attribute_cardinalities) dim_ += static_cast<size_t>(card);
  acc_.assign(hists * num_categories_, 0.0);
  item_stamp_.assign(catalog_.num_items(), 0);
}

std::vector<std::string> FeatureExtractor::feature_names() const {
  std::vector<std::string> names;
  names.reserve(dim_);
  const auto& cats = catalog_.category_names;
  for (const auto& c : cats) names.push_back("hist/" + c);
  for (const auto& c : cats) names.push_back("recency/" + c);
  for (int t : config_.event_types) {
    for (const auto& c : cats) names.push_back(std::string("type/") + event_type_name(t) + "/" + c);
  }
  for (const char* a : {"log_events", "log_distinct_items", "log_span_days", "log_recency_days",
                        "log_distinct_categories", "mean_weight"}) {
    names.push_back(std::string("activity/") + a);
  }
  for (size_t a = 0; a < config_.attribute_cardinalities.size(); ++a) {
    const std::string attr =
        config_.attribute_names.empty() ? "attr" + std::to_string(a) : config_.attribute_names[a];
    for (int v = 0; v < config_.attribute_cardinalities[a]; ++v) {
      names.push_back("attr/" + attr + "/" + std::to_string(v));
    }
  }
  return names;
}

void FeatureExtractor::check_range(const UserChunk& chunk, size_t u, EventRange range) const {
  IMINE_CHECK(u < chunk.num_users())
      << "features: user index " << u << " outside a chunk of " << chunk.num_users() << " users";
  const size_t n = chunk.num_events();
  IMINE_CHECK(chunk.types.size() == n && chunk.times.size() == n && chunk.weights.size() == n)
      << "features: chunk event arrays disagree in size (items " << n << ", types "
      << chunk.types.size() << ", times " << chunk.times.size() << ", weights "
      << chunk.weights.size() << ")";
  IMINE_CHECK(range.begin <= range.end && range.begin >= chunk.begin(u) &&
              range.end <= chunk.end(u))
      << "features: event range [" << range.begin << ", " << range.end
      << ") is not inside the events of user " << chunk.user_ids[u];
}

void FeatureExtractor::extract(const UserChunk& chunk, size_t u, EventRange input, float* out) {
  check_range(chunk, u, input);
  const size_t C = num_categories_;
  const size_t n_items = catalog_.num_items();
  std::fill(acc_.begin(), acc_.end(), 0.0);
  // A wrapped stamp could alias a stale entry, so start the table afresh.
  if (++stamp_ == 0) {
    std::fill(item_stamp_.begin(), item_stamp_.end(), 0u);
    stamp_ = 1;
  }
  double* hist = acc_.data();
  double* rec = hist + C;
  double* type_hist = rec + C;
  const size_t n = input.size();
  const int64_t t_last = n ? chunk.times[input.end - 1] : config_.t_ref;
  // Decay relative to the user's last input event: after normalisation the result equals
  // decay from t_ref, but it cannot underflow to all zeros for users inactive for years.
  const double decay_per_sec = std::log(0.5) / (config_.half_life_days * kSecondsPerDay);
  size_t distinct_items = 0;
  double weight_sum = 0.0;
  for (size_t i = input.begin; i < input.end; ++i) {
    const uint32_t item = chunk.items[i];
    IMINE_CHECK(item < n_items) << "features: user " << chunk.user_ids[u] << " has item id " << item
                                << " outside the catalog of " << n_items << " items";
    if (item_stamp_[item] != stamp_) {
      item_stamp_[item] = stamp_;
      ++distinct_items;
    }
    weight_sum += chunk.weights[i];
    const uint32_t* cb = catalog_.categories_begin(item);
    const uint32_t* ce = catalog_.categories_end(item);
    if (cb == ce) continue;
    const double share = 1.0 / static_cast<double>(ce - cb);
    const double decay =
        share * std::exp(decay_per_sec * static_cast<double>(t_last - chunk.times[i]));
    const int slot = type_slot_[chunk.types[i]];
    double* th = slot >= 0 ? type_hist + static_cast<size_t>(slot) * C : nullptr;
    for (const uint32_t* c = cb; c != ce; ++c) {
      hist[*c] += share;
      rec[*c] += decay;
      if (th) th[*c] += share;
    }
  }
  double hist_sum = 0.0, rec_sum = 0.0;
  size_t distinct_categories = 0;
  for (size_t c = 0; c < C; ++c) {
    hist_sum += hist[c];
    rec_sum += rec[c];
    distinct_categories += hist[c] > 0;
  }
  const double hist_scale = hist_sum > 0 ? 1.0 / hist_sum : 0.0;
  const double rec_scale = rec_sum > 0 ? 1.0 / rec_sum : 0.0;
  const double type_scale = n > 0 ? 1.0 / static_cast<double>(n) : 0.0;
  for (size_t c = 0; c < C; ++c) {
    out[c] = static_cast<float>(hist[c] * hist_scale);
    out[C + c] = static_cast<float>(rec[c] * rec_scale);
  }
  const size_t type_values = config_.event_types.size() * C;
  for (size_t j = 0; j < type_values; ++j) {
    out[2 * C + j] = static_cast<float>(type_hist[j] * type_scale);
  }

  float* act = out + activity_offset_;
  const double span_days =
      n ? static_cast<double>(t_last - chunk.times[input.begin]) / kSecondsPerDay : 0.0;
  const double recency_days =
      std::max(0.0, static_cast<double>(config_.t_ref - t_last) / kSecondsPerDay);
  act[0] = static_cast<float>(std::log1p(static_cast<double>(n)));
  act[1] = static_cast<float>(std::log1p(static_cast<double>(distinct_items)));
  act[2] = static_cast<float>(std::log1p(span_days));
  act[3] = static_cast<float>(std::log1p(recency_days));
  act[4] = static_cast<float>(std::log1p(static_cast<double>(distinct_categories)));
  act[5] = static_cast<float>(n ? weight_sum / static_cast<double>(n) : 0.0);

  float* attr = out + attribute_offset_;
  std::fill(attr, out + dim_, 0.0f);
  const size_t num_attr = config_.attribute_cardinalities.size();
  IMINE_CHECK(static_cast<size_t>(chunk.num_attributes) == num_attr &&
              chunk.attributes.size() == chunk.num_users() * num_attr)
      << "features: chunk has " << chunk.num_attributes << " attribute columns ("
      << chunk.attributes.size() << " values) but the feature config has " << num_attr;
  const int32_t* values = chunk.attributes.data() + u * num_attr;
  for (size_t a = 0; a < num_attr; ++a) {
    const int card = config_.attribute_cardinalities[a];
    if (values[a] >= 0 && values[a] < card) attr[values[a]] = 1.0f;
    attr += card;
  }
}

void FeatureExtractor::mark_categories(const UserChunk& chunk, size_t u, EventRange range,
                                       uint8_t* out) const {
  IMINE_CHECK(u < chunk.num_users() && range.begin <= range.end && range.begin >= chunk.begin(u) &&
              range.end <= chunk.end(u))
      << "features: event range [" << range.begin << ", " << range.end
      << ") is not inside the events of user index " << u;
  std::fill(out, out + num_categories_, uint8_t{0});
  const size_t n_items = catalog_.num_items();
  for (size_t i = range.begin; i < range.end; ++i) {
    const uint32_t item = chunk.items[i];
    IMINE_CHECK(item < n_items) << "features: user " << chunk.user_ids[u] << " has item id " << item
                                << " outside the catalog of " << n_items << " items";
    for (const uint32_t* c = catalog_.categories_begin(item); c != catalog_.categories_end(item);
         ++c) {
      out[*c] = 1;
    }
  }
}

void FeatureExtractor::targets(const UserChunk& chunk, size_t u, EventRange target,
                               uint8_t* out) const {
  mark_categories(chunk, u, target, out);
}

void FeatureExtractor::input_categories(const UserChunk& chunk, size_t u, EventRange input,
                                        uint8_t* out) const {
  mark_categories(chunk, u, input, out);
}

}  // namespace imine

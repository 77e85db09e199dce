// Knobs of the synthetic platform generator (see generator.h for the model they drive).
#pragma once

#include <cstdint>

namespace imine {

// Synthetic user attributes, in column order; num_attributes takes a prefix of this list.
constexpr uint32_t kMaxSynthAttributes = 4;
const char* synth_attribute_name(uint32_t attribute);      // "age_bucket", "region", ...
uint32_t synth_attribute_cardinality(uint32_t attribute);  // values are 0..cardinality-1

struct SynthConfig {
  uint64_t seed = 1;
  uint64_t users = 10000;
  uint32_t items = 20000;
  uint32_t categories = 64;
  uint32_t archetypes = 12;
  // Categories in each archetype's profile; users take 1-3 of them, drift picks another one.
  uint32_t categories_per_archetype = 6;
  // Share of users who develop a new (archetype) interest late in their history.
  double drift_fraction = 0.3;
  // Of the drifting users, the share whose new interest lies outside their archetype (any
  // category they do not have): serendipity their history cannot predict. 0 = archetype only.
  double drift_outside_fraction = 0.0;
  // Events per user: lognormal with this mean and log-space sigma, clamped to the bounds.
  double mean_events = 40.0;
  double activity_sigma = 1.0;
  uint32_t min_events = 5;
  uint32_t max_events = 2000;
  int64_t start_time = 1704067200;  // 2024-01-01T00:00:00Z
  int64_t duration_seconds = 180 * 86400;
  // Share of items that belong to a second category.
  double multi_category_fraction = 0.1;
  uint32_t num_attributes = 2;
  // Zipf exponent of item popularity within a category.
  double item_zipf_exponent = 1.0;
  // Share of sessions spent on a globally popular category instead of the user's interests.
  double noise_fraction = 0.1;

  // Throws imine::Error naming the offending field.
  void validate() const;
};

}  // namespace imine

#include "imine/synth/config.h"

#include <cmath>

#include "imine/util/error.h"

namespace imine {

namespace {
constexpr const char* kAttributeNames[kMaxSynthAttributes] = {"age_bucket", "region", "device",
                                                              "tenure_bucket"};
constexpr uint32_t kAttributeCardinality[kMaxSynthAttributes] = {6, 8, 4, 5};

void check_fraction(double value, const char* field) {
  IMINE_CHECK(std::isfinite(value) && value >= 0.0 && value <= 1.0)
      << "synth config: " << field << " = " << value << " must be in [0, 1]";
}
}  // namespace

const char* synth_attribute_name(uint32_t attribute) {
  IMINE_CHECK(attribute < kMaxSynthAttributes) << "synth attribute " << attribute << " unknown";
  return kAttributeNames[attribute];
}

uint32_t synth_attribute_cardinality(uint32_t attribute) {
  IMINE_CHECK(attribute < kMaxSynthAttributes) << "synth attribute " << attribute << " unknown";
  return kAttributeCardinality[attribute];
}

void SynthConfig::validate() const {
  IMINE_CHECK(users >= 1) << "synth config: users must be at least 1";
  IMINE_CHECK(categories >= 2 && categories <= 100000)
      << "synth config: categories = " << categories << " must be in [2, 100000]";
  IMINE_CHECK(items >= categories && items <= (1u << 31))
      << "synth config: items = " << items << " must be in [categories (" << categories
      << "), 2^31] so that every category has an item";
  IMINE_CHECK(archetypes >= 1 && archetypes <= 10000)
      << "synth config: archetypes = " << archetypes << " must be in [1, 10000]";
  IMINE_CHECK(categories_per_archetype >= 2 && categories_per_archetype <= categories &&
              categories_per_archetype <= 64)
      << "synth config: categories_per_archetype = " << categories_per_archetype
      << " must be in [2, min(categories, 64)]";
  check_fraction(drift_fraction, "drift_fraction");
  check_fraction(drift_outside_fraction, "drift_outside_fraction");
  check_fraction(multi_category_fraction, "multi_category_fraction");
  check_fraction(noise_fraction, "noise_fraction");
  IMINE_CHECK(min_events >= 1) << "synth config: min_events must be at least 1";
  IMINE_CHECK(max_events >= min_events && max_events <= 1000000)
      << "synth config: max_events = " << max_events << " must be in [min_events (" << min_events
      << "), 1000000]";
  IMINE_CHECK(std::isfinite(mean_events) && mean_events >= min_events && mean_events <= max_events)
      << "synth config: mean_events = " << mean_events << " must be in [min_events (" << min_events
      << "), max_events (" << max_events << ")]";
  IMINE_CHECK(std::isfinite(activity_sigma) && activity_sigma >= 0.0 && activity_sigma <= 4.0)
      << "synth config: activity_sigma = " << activity_sigma << " must be in [0, 4]";
  // Event times are strictly increasing per user, so the period must hold max_events seconds
  // with room for sessions to spread.
  IMINE_CHECK(duration_seconds >= 100 * static_cast<int64_t>(max_events) &&
              duration_seconds <= int64_t{100} * 365 * 86400)
      << "synth config: duration_seconds = " << duration_seconds
      << " must be in [100 * max_events (" << 100 * static_cast<int64_t>(max_events)
      << "), 100 years]";
  IMINE_CHECK(start_time >= 0 && start_time <= (int64_t{1} << 40))
      << "synth config: start_time = " << start_time << " must be a unix time in [0, 2^40]";
  IMINE_CHECK(num_attributes <= kMaxSynthAttributes)
      << "synth config: num_attributes = " << num_attributes << " must be at most "
      << kMaxSynthAttributes;
  IMINE_CHECK(std::isfinite(item_zipf_exponent) && item_zipf_exponent >= 0.0 &&
              item_zipf_exponent <= 4.0)
      << "synth config: item_zipf_exponent = " << item_zipf_exponent << " must be in [0, 4]";
}

}  // namespace imine

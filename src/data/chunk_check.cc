#include "imine/data/chunk_check.h"

#include <cmath>

#include "imine/data/schema.h"
#include "imine/util/error.h"

namespace imine {

namespace {

// Chunk-local CSR offsets: start at 0, never decrease, end at the size of the data arrays.
void check_offsets(const std::vector<uint64_t>& offsets, size_t num_users, size_t num_values,
                   uint64_t index_base, const std::string& where) {
  IMINE_CHECK(offsets.size() == num_users + 1)
      << where << ": " << offsets.size() << " offsets for " << num_users << " users";
  IMINE_CHECK(offsets[0] == 0) << where << ": chunk offsets do not start at 0 (index " << index_base
                               << ")";
  for (size_t i = 1; i < offsets.size(); ++i) {
    IMINE_CHECK(offsets[i] >= offsets[i - 1])
        << where << ": not monotonic at index " << index_base + i;
    IMINE_CHECK(offsets[i] <= num_values)
        << where << ": offset " << offsets[i] << " at index " << index_base + i
        << " is past the end (" << num_values << " entries)";
  }
  IMINE_CHECK(offsets.back() == num_values) << where << ": offsets end at " << offsets.back()
                                            << " but there are " << num_values << " entries";
}

}  // namespace

void check_chunk(const UserChunk& c, const ChunkCheck& ctx) {
  auto at = [&ctx](const char* dataset) { return ctx.file + ": " + dataset; };
  const size_t users = c.num_users();
  const size_t events = c.num_events();
  check_offsets(c.offsets, users, events, ctx.user_base, at(schema::kOffsets));
  IMINE_CHECK(c.types.size() == events)
      << at(schema::kTypes) << ": " << c.types.size() << " entries for " << events << " events";
  IMINE_CHECK(c.times.size() == events)
      << at(schema::kTimes) << ": " << c.times.size() << " entries for " << events << " events";
  IMINE_CHECK(c.weights.size() == events)
      << at(schema::kWeights) << ": " << c.weights.size() << " entries for " << events << " events";
  IMINE_CHECK(c.num_attributes >= 0 &&
              c.attributes.size() == users * static_cast<size_t>(c.num_attributes))
      << at(schema::kAttributes) << ": " << c.attributes.size() << " values for " << users
      << " users x " << c.num_attributes << " attributes";

  for (size_t j = 0; j < events; ++j) {
    IMINE_CHECK(c.items[j] < ctx.num_items)
        << at(schema::kItems) << ": item id " << c.items[j] << " at index " << ctx.event_base + j
        << " is not below the catalog's " << ctx.num_items << " items";
    IMINE_CHECK(c.types[j] < kNumEventTypes)
        << at(schema::kTypes) << ": value " << int{c.types[j]} << " at index " << ctx.event_base + j
        << " is not an event type (< " << kNumEventTypes << ")";
    IMINE_CHECK(std::isfinite(c.weights[j]))
        << at(schema::kWeights) << ": not finite at index " << ctx.event_base + j;
  }
  for (size_t u = 0; u < users; ++u) {
    for (size_t j = c.begin(u) + 1; j < c.end(u); ++j) {
      IMINE_CHECK(c.times[j] >= c.times[j - 1])
          << at(schema::kTimes) << ": not sorted within user " << ctx.user_base + u << " at index "
          << ctx.event_base + j;
    }
  }
  if (!ctx.cardinality.empty() && c.num_attributes > 0) {
    IMINE_CHECK(ctx.cardinality.size() == static_cast<size_t>(c.num_attributes))
        << at(schema::kAttributes) << ": " << ctx.cardinality.size() << " cardinalities for "
        << c.num_attributes << " columns";
    const size_t cols = static_cast<size_t>(c.num_attributes);
    for (size_t i = 0; i < c.attributes.size(); ++i) {
      int32_t v = c.attributes[i];
      IMINE_CHECK(v >= 0 && v < ctx.cardinality[i % cols])
          << at(schema::kAttributes) << ": value " << v << " at row " << ctx.user_base + i / cols
          << " column " << i % cols << " is outside [0, " << ctx.cardinality[i % cols] << ")";
    }
  }

  if (!c.has_truth()) {
    IMINE_CHECK(c.truth_category.empty() && c.truth_weight.empty() && c.truth_is_new.empty())
        << at(schema::kTruthOffsets) << ": truth values without truth offsets";
    return;
  }
  const size_t truth = c.truth_category.size();
  check_offsets(c.truth_offsets, users, truth, ctx.user_base, at(schema::kTruthOffsets));
  IMINE_CHECK(c.truth_weight.size() == truth)
      << at(schema::kTruthWeight) << ": " << c.truth_weight.size() << " entries for " << truth;
  IMINE_CHECK(c.truth_is_new.size() == truth)
      << at(schema::kTruthIsNew) << ": " << c.truth_is_new.size() << " entries for " << truth;
  for (size_t j = 0; j < truth; ++j) {
    IMINE_CHECK(c.truth_category[j] < ctx.num_categories)
        << at(schema::kTruthCategory) << ": category " << c.truth_category[j] << " at index "
        << ctx.truth_base + j << " is not below the catalog's " << ctx.num_categories
        << " categories";
    IMINE_CHECK(std::isfinite(c.truth_weight[j]))
        << at(schema::kTruthWeight) << ": not finite at index " << ctx.truth_base + j;
    IMINE_CHECK(c.truth_is_new[j] <= 1)
        << at(schema::kTruthIsNew) << ": value " << int{c.truth_is_new[j]} << " at index "
        << ctx.truth_base + j << " is not 0 or 1";
  }
}

}  // namespace imine

// A bounded run of users and their time-sorted events, as CSR: the unit that flows from
// ShardReader (or the synthetic generator) to FeatureExtractor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imine {

// Event types of the imine.users schema; the names are stored in the shard's
// /events/type attribute "names". Sources may use any subset.
enum EventType : uint8_t { kView = 0, kClick = 1, kCart = 2, kBuy = 3, kRate = 4 };
constexpr int kNumEventTypes = 5;
const char* event_type_name(int type);

struct UserChunk {
  // Global index of the first user of this chunk within its shard.
  uint64_t first_user = 0;
  std::vector<uint64_t> user_ids;  // pseudonymous ids, one per user
  std::vector<uint64_t> offsets;   // user_ids.size()+1 entries, offsets[0] == 0
  std::vector<uint32_t> items;
  std::vector<uint8_t> types;
  std::vector<int64_t> times;  // unix seconds, sorted per user
  std::vector<float> weights;
  int num_attributes = 0;
  std::vector<int32_t> attributes;  // row-major [users x num_attributes]

  // Optional synthetic ground truth (CSR over users): latent interest weights per category
  // and whether that interest is new (appears only late in the period).
  std::vector<uint64_t> truth_offsets;
  std::vector<uint32_t> truth_category;
  std::vector<float> truth_weight;
  std::vector<uint8_t> truth_is_new;

  size_t num_users() const { return user_ids.size(); }
  size_t num_events() const { return items.size(); }
  size_t begin(size_t u) const { return static_cast<size_t>(offsets[u]); }
  size_t end(size_t u) const { return static_cast<size_t>(offsets[u + 1]); }
  bool has_truth() const { return !truth_offsets.empty(); }
  void clear();
};

}  // namespace imine

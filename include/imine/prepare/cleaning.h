// Per-user cleaning of whole histories (after the exchange, each user's events are all on one
// rank): time order, exact duplicates, too few events, bots; then the final item ids and the
// UserChunks that go to the ShardWriter.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "imine/data/user_chunk.h"
#include "imine/prepare/event_store.h"
#include "imine/prepare/item_catalog.h"

namespace imine {

struct CleanRules {
  int64_t min_events = 1;
  double max_events_per_day = 0;    // 0 = off
  int64_t max_events_per_user = 0;  // > 0: keep a kept user's most recent N events
};

struct CleanCounts {
  uint64_t users_seen = 0, users_kept = 0, users_few = 0, users_bots = 0;
  uint64_t duplicates = 0, few_events = 0, bot_events = 0;
  uint64_t users_capped = 0, capped_events = 0;  // --max-events-per-user
};

// A user is a bot when events / max(1, days between first and last event) exceeds the limit.
bool is_bot(uint64_t events, int64_t first_time, int64_t last_time, double max_per_day);

// On records sorted by event_less: removes exact duplicates, drops users breaking the rules
// and compacts the kept records to the front; returns how many were kept. For every kept user,
// adds 1 to item_users[item] for each distinct item and appends the user's event count to
// events_per_user.
size_t clean_sorted(EventRecord* events, size_t n, const CleanRules& rules, CleanCounts* counts,
                    std::vector<uint32_t>* item_users, std::vector<uint64_t>* events_per_user);
// Sorts by event_less, then clean_sorted; `events` is resized to the kept records.
template <typename Vector>
void clean_users(Vector* events, const CleanRules& rules, CleanCounts* counts,
                 std::vector<uint32_t>* item_users, std::vector<uint64_t>* events_per_user) {
  std::sort(events->begin(), events->end(),
            [](const EventRecord& a, const EventRecord& b) { return event_less(a, b); });
  events->resize(
      clean_sorted(events->data(), events->size(), rules, counts, item_users, events_per_user));
}

// Count threshold (--min-users): adds 1 to (*category_users)[c] for every category c that at
// least one of a user's items has, per user of the cleaned, user-sorted `events` (items are
// indices into item_categories).
void count_category_users(const EventRecord* events, size_t n,
                          const std::vector<std::vector<uint32_t>>& item_categories,
                          std::vector<int64_t>* category_users);
// Folds the categories with fewer than min_users distinct users (global counts) into one
// category "(other)" (appended last), so no catalog, feature or label names them; returns how
// many were folded (0: g unchanged).
uint64_t fold_rare_categories(const std::vector<int64_t>& category_users, int64_t min_users,
                              GlobalItems* g);

// Builds UserChunks of at most chunk_users users from cleaned, user-sorted events: items go
// through final_item (rare ones to their "other" bucket), each user's events are re-sorted
// by (time, item, type, weight) after that, and attributes (if num_attributes > 0) come from
// `attributes` or `unknown_row`. fn(chunk) is called per chunk.
struct ChunkBuilder {
  const std::vector<uint32_t>* final_item = nullptr;
  const std::unordered_map<uint64_t, std::vector<int32_t>>* attributes = nullptr;
  std::vector<int32_t> unknown_row;
  size_t chunk_users = 8192;
  int num_attributes = 0;
  uint64_t users_without_attributes = 0;
  uint64_t events_to_other = 0;
  uint32_t first_bucket = UINT32_MAX;  // final ids >= this are "other" buckets

  template <typename Fn>
  void build(const EventRecord* events, size_t n, Fn fn);
  void add_user(const EventRecord* events, size_t n, UserChunk* chunk);
};

template <typename Fn>
void ChunkBuilder::build(const EventRecord* events, size_t n, Fn fn) {
  UserChunk chunk;
  chunk.clear();
  chunk.num_attributes = num_attributes;
  for (size_t b = 0; b < n;) {
    size_t e = b;
    while (e < n && events[e].user == events[b].user) ++e;
    add_user(events + b, e - b, &chunk);
    if (chunk.num_users() >= chunk_users) {
      fn(chunk);
      chunk.clear();
    }
    b = e;
  }
  if (chunk.num_users() > 0) fn(chunk);
}

}  // namespace imine

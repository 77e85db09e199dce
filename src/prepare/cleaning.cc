#include "imine/prepare/cleaning.h"

#include <algorithm>
#include <tuple>
#include <type_traits>

#include "imine/util/error.h"

namespace imine {

bool is_bot(uint64_t events, int64_t first_time, int64_t last_time, double max_per_day) {
  if (max_per_day <= 0) return false;
  const double days = std::max(1.0, static_cast<double>(last_time - first_time) / 86400.0);
  return static_cast<double>(events) / days > max_per_day;
}

size_t clean_sorted(EventRecord* ev, size_t n_all, const CleanRules& rules, CleanCounts* counts,
                    std::vector<uint32_t>* item_users, std::vector<uint64_t>* events_per_user) {
  // Distinct items per kept user: stamp[item] holds the last user (numbered here from 1) that
  // counted it, which replaces sorting each history's items.
  std::vector<uint32_t>& users_of = *item_users;
  std::vector<uint64_t> stamp(users_of.size(), 0);
  uint64_t user_no = 0;
  size_t write = 0;
  for (size_t b = 0; b < n_all;) {
    size_t e = b;
    while (e < n_all && ev[e].user == ev[b].user) ++e;
    ++counts->users_seen;
    // Exact duplicates are adjacent after the total sort.
    const size_t start = write;
    for (size_t i = b; i < e; ++i) {
      if (i > b && event_equal(ev[i], ev[i - 1])) {
        ++counts->duplicates;
        continue;
      }
      ev[write++] = ev[i];
    }
    const uint64_t n = write - start;
    if (n < static_cast<uint64_t>(rules.min_events)) {
      ++counts->users_few;
      counts->few_events += n;
      write = start;
    } else if (is_bot(n, ev[start].time, ev[write - 1].time, rules.max_events_per_day)) {
      ++counts->users_bots;
      counts->bot_events += n;
      write = start;
    } else {
      ++counts->users_kept;
      // The bound applies after the bot and minimum rules, which judge the whole history.
      uint64_t n_kept = n;
      if (rules.max_events_per_user > 0 && n > static_cast<uint64_t>(rules.max_events_per_user)) {
        n_kept = static_cast<uint64_t>(rules.max_events_per_user);
        ++counts->users_capped;
        counts->capped_events += n - n_kept;
        std::move(ev + (write - n_kept), ev + write, ev + start);
        write = start + n_kept;
      }
      events_per_user->push_back(n_kept);
      ++user_no;
      for (size_t i = start; i < write; ++i) {
        const uint32_t it = ev[i].item();
        if (stamp[it] != user_no) {
          stamp[it] = user_no;
          ++users_of[it];
        }
      }
    }
    b = e;
  }
  return write;
}

void count_category_users(const EventRecord* events, size_t n,
                          const std::vector<std::vector<uint32_t>>& item_categories,
                          std::vector<int64_t>* category_users) {
  std::vector<uint32_t> cats;
  for (size_t b = 0; b < n;) {
    size_t e = b;
    cats.clear();
    for (; e < n && events[e].user == events[b].user; ++e) {
      const auto& ic = item_categories[events[e].item()];
      cats.insert(cats.end(), ic.begin(), ic.end());
    }
    std::sort(cats.begin(), cats.end());
    cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
    for (uint32_t c : cats) ++(*category_users)[c];
    b = e;
  }
}

uint64_t fold_rare_categories(const std::vector<int64_t>& category_users, int64_t min_users,
                              GlobalItems* g) {
  IMINE_CHECK(category_users.size() == g->category_names.size())
      << "prepare: internal error: category counts do not match the categories";
  std::vector<uint32_t> new_id(g->category_names.size());
  std::vector<std::string> names;
  uint64_t folded = 0;
  for (size_t c = 0; c < new_id.size(); ++c) {
    if (category_users[c] >= min_users) {
      new_id[c] = static_cast<uint32_t>(names.size());
      names.push_back(g->category_names[c]);
    } else {
      new_id[c] = UINT32_MAX;
      ++folded;
    }
  }
  if (folded == 0) return 0;
  const auto other = static_cast<uint32_t>(names.size());
  names.push_back("(other)");
  for (uint32_t& id : new_id) id = id == UINT32_MAX ? other : id;
  for (auto& cats : g->categories) {
    for (uint32_t& c : cats) c = new_id[c];
    std::sort(cats.begin(), cats.end());
    cats.erase(std::unique(cats.begin(), cats.end()), cats.end());
  }
  g->category_names = std::move(names);
  return folded;
}

void ChunkBuilder::add_user(const EventRecord* events, size_t n, UserChunk* chunk) {
  const size_t first = chunk->items.size();
  // Sized once, then filled through plain pointers (four push_backs per event cost more).
  chunk->items.resize(first + n);
  chunk->types.resize(first + n);
  chunk->times.resize(first + n);
  chunk->weights.resize(first + n);
  uint32_t* items = chunk->items.data() + first;
  uint8_t* types = chunk->types.data() + first;
  int64_t* times = chunk->times.data() + first;
  float* weights = chunk->weights.data() + first;
  const uint32_t* final_ids = final_item->data();
  bool dropped = false;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t item = final_ids[events[i].item()];
    dropped |= item == UINT32_MAX;
    events_to_other += item >= first_bucket && item != UINT32_MAX;
    items[i] = item;
    types[i] = events[i].type();
    times[i] = events[i].time;
    weights[i] = events[i].weight;
  }
  IMINE_CHECK(!dropped) << "prepare: internal error: kept event on a dropped item";
  if (first_bucket != UINT32_MAX) {
    // Remapping to buckets can change the item order among events with the same time.
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    auto key = [&](size_t i) {
      return std::make_tuple(chunk->times[first + i], chunk->items[first + i],
                             chunk->types[first + i], chunk->weights[first + i]);
    };
    if (!std::is_sorted(order.begin(), order.end(),
                        [&](size_t a, size_t b) { return key(a) < key(b); })) {
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return key(a) < key(b); });
      auto permute = [&](auto& v) {
        std::vector<typename std::decay_t<decltype(v)>::value_type> tmp(n);
        for (size_t i = 0; i < n; ++i) tmp[i] = v[first + order[i]];
        std::copy(tmp.begin(), tmp.end(), v.begin() + static_cast<long>(first));
      };
      permute(chunk->items);
      permute(chunk->types);
      permute(chunk->times);
      permute(chunk->weights);
    }
  }
  chunk->user_ids.push_back(events[0].user);
  chunk->offsets.push_back(chunk->items.size());
  if (chunk->num_attributes > 0) {
    auto it = attributes->find(events[0].user);
    if (it == attributes->end()) ++users_without_attributes;
    const std::vector<int32_t>& row = it == attributes->end() ? unknown_row : it->second;
    chunk->attributes.insert(chunk->attributes.end(), row.begin(), row.end());
  }
}

}  // namespace imine

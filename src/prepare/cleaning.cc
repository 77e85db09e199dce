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

void clean_users(std::vector<EventRecord>* events, const CleanRules& rules, CleanCounts* counts,
                 std::vector<uint32_t>* item_users, std::vector<uint64_t>* events_per_user) {
  std::vector<EventRecord>& ev = *events;
  std::sort(ev.begin(), ev.end(),
            [](const EventRecord& a, const EventRecord& b) { return event_less(a, b); });
  std::vector<uint32_t> distinct;
  size_t write = 0;
  for (size_t b = 0; b < ev.size();) {
    size_t e = b;
    while (e < ev.size() && ev[e].user == ev[b].user) ++e;
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
        std::move(ev.begin() + static_cast<std::ptrdiff_t>(write - n_kept),
                  ev.begin() + static_cast<std::ptrdiff_t>(write),
                  ev.begin() + static_cast<std::ptrdiff_t>(start));
        write = start + n_kept;
      }
      events_per_user->push_back(n_kept);
      distinct.clear();
      for (size_t i = start; i < write; ++i) distinct.push_back(ev[i].item());
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      for (uint32_t it : distinct) ++(*item_users)[it];
    }
    b = e;
  }
  ev.resize(write);
}

void count_category_users(const std::vector<EventRecord>& events,
                          const std::vector<std::vector<uint32_t>>& item_categories,
                          std::vector<int64_t>* category_users) {
  std::vector<uint32_t> cats;
  for (size_t b = 0; b < events.size();) {
    size_t e = b;
    cats.clear();
    for (; e < events.size() && events[e].user == events[b].user; ++e) {
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
  for (size_t i = 0; i < n; ++i) {
    const uint32_t item = (*final_item)[events[i].item()];
    IMINE_CHECK(item != UINT32_MAX) << "prepare: internal error: kept event on a dropped item";
    if (item >= first_bucket) ++events_to_other;
    chunk->items.push_back(item);
    chunk->types.push_back(events[i].type());
    chunk->times.push_back(events[i].time);
    chunk->weights.push_back(events[i].weight);
  }
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

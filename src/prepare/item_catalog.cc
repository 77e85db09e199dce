#include "imine/prepare/item_catalog.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "imine/prepare/exchange.h"
#include "imine/prepare/fields.h"
#include "imine/util/error.h"

namespace imine {

namespace {

std::vector<size_t> key_order(const std::vector<std::string>& keys) {
  // item_key_less, with each key's class found once instead of in every comparison: plain
  // decimal numbers (at most 19 digits, no leading zero) first by value, then the rest by bytes.
  struct Key {
    bool other;
    uint64_t value;
    size_t index;
  };
  std::vector<Key> k(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string& s = keys[i];
    bool numeric = !s.empty() && s.size() <= 19 && (s.size() == 1 || s[0] != '0');
    uint64_t v = 0;
    for (size_t j = 0; numeric && j < s.size(); ++j) {
      numeric = s[j] >= '0' && s[j] <= '9';
      v = v * 10 + static_cast<uint64_t>(s[j] - '0');
    }
    k[i] = {!numeric, numeric ? v : 0, i};
  }
  std::sort(k.begin(), k.end(), [&](const Key& a, const Key& b) {
    if (a.other != b.other) return b.other;
    if (!a.other) return a.value < b.value;
    return keys[a.index] < keys[b.index];
  });
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < k.size(); ++i) order[i] = k[i].index;
  return order;
}

void check_sizes(const GlobalItems& g) {
  IMINE_CHECK(g.keys.size() < EventRecord::kMaxItems)
      << "prepare: " << g.keys.size() << " items; at most " << EventRecord::kMaxItems - 1;
  IMINE_CHECK(g.category_names.size() < (size_t{1} << 20))
      << "prepare: " << g.category_names.size() << " categories; at most 2^20";
}

}  // namespace

GlobalItems items_from_catalog(const CatalogInput& in) {
  GlobalItems g;
  std::map<std::string, uint32_t> cat_id;
  if (!in.flag_names.empty()) {
    g.category_names = in.flag_names;
    for (size_t i = 0; i < in.flag_names.size(); ++i) {
      cat_id.emplace(in.flag_names[i], static_cast<uint32_t>(i));
    }
  } else {
    for (const auto& names : in.categories) {
      for (const std::string& n : names) cat_id.emplace(n, 0);
    }
    uint32_t next = 0;
    for (auto& [name, id] : cat_id) {
      id = next++;
      g.category_names.push_back(name);
    }
  }
  for (size_t i : key_order(in.keys)) {
    g.keys.push_back(in.keys[i]);
    if (!in.names.empty()) g.names.push_back(in.names[i]);
    std::vector<uint32_t> c;
    for (const std::string& n : in.categories[i]) c.push_back(cat_id.at(n));
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    g.categories.push_back(std::move(c));
  }
  check_sizes(g);
  return g;
}

GlobalItems items_from_events(const Communicator& comm, const StringTable& local_items,
                              const StringTable& local_categories,
                              const std::vector<uint64_t>& local_pairs,
                              std::vector<uint32_t>* local_to_global) {
  GlobalItems g;
  std::vector<std::string> all_items = allgather_strings(comm, local_items);
  std::vector<std::string> all_cats = allgather_strings(comm, local_categories);
  // Pairs as (item key, category name) so that they survive the change of ids: sent as the
  // sender's local indices plus its rank's offset into the gathered string lists.
  std::vector<int64_t> item_base = comm.allgather(static_cast<int64_t>(local_items.size()));
  std::vector<int64_t> cat_base = comm.allgather(static_cast<int64_t>(local_categories.size()));
  std::vector<uint64_t> mine;
  const auto r = static_cast<size_t>(comm.rank());
  int64_t ib = 0, cb = 0;
  for (size_t q = 0; q < r; ++q) {
    ib += item_base[q];
    cb += cat_base[q];
  }
  for (uint64_t p : local_pairs) {
    mine.push_back(static_cast<uint64_t>(ib) + (p >> 32));
    mine.push_back(static_cast<uint64_t>(cb) + (p & 0xffffffffu));
  }
  std::vector<uint64_t> pairs = allgather_u64(comm, mine);

  // index_of_*[i]: the union's index of gathered string i, kept so that the pairs below are
  // array lookups instead of a second hash probe each.
  StringTable items, cats;
  std::vector<uint32_t> index_of_item(all_items.size()), index_of_cat(all_cats.size());
  for (size_t i = 0; i < all_items.size(); ++i) index_of_item[i] = items.intern(all_items[i]);
  for (size_t i = 0; i < all_cats.size(); ++i) index_of_cat[i] = cats.intern(all_cats[i]);
  std::vector<std::string> keys, names;
  for (uint32_t i = 0; i < items.size(); ++i) keys.emplace_back(items.at(i));
  for (uint32_t i = 0; i < cats.size(); ++i) names.emplace_back(cats.at(i));
  std::vector<size_t> korder = key_order(keys);
  std::vector<size_t> corder(names.size());
  std::iota(corder.begin(), corder.end(), size_t{0});
  std::sort(corder.begin(), corder.end(), [&](size_t a, size_t b) { return names[a] < names[b]; });
  std::vector<uint32_t> item_rank(keys.size()), cat_rank(names.size());
  for (size_t i = 0; i < korder.size(); ++i) item_rank[korder[i]] = static_cast<uint32_t>(i);
  for (size_t i = 0; i < corder.size(); ++i) cat_rank[corder[i]] = static_cast<uint32_t>(i);
  for (size_t i : korder) g.keys.push_back(keys[i]);
  for (size_t i : corder) g.category_names.push_back(to_utf8(names[i]));
  g.categories.resize(g.keys.size());
  for (size_t at = 0; at + 1 < pairs.size(); at += 2) {
    IMINE_CHECK(pairs[at] < all_items.size() && pairs[at + 1] < all_cats.size())
        << "prepare: internal error: an (item, category) pair out of range";
    const uint32_t item = item_rank[index_of_item[pairs[at]]];
    const uint32_t cat = cat_rank[index_of_cat[pairs[at + 1]]];
    g.categories[item].push_back(cat);
  }
  for (auto& c : g.categories) {
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
  }
  if (local_to_global != nullptr) {
    // This rank's keys are gathered at [ib, ib + local_items.size()).
    local_to_global->resize(local_items.size());
    for (size_t i = 0; i < local_items.size(); ++i) {
      (*local_to_global)[i] = item_rank[index_of_item[static_cast<size_t>(ib) + i]];
    }
  }
  check_sizes(g);
  return g;
}

std::vector<uint32_t> map_local_items(const StringTable& local, const GlobalItems& global) {
  StringTable g;
  for (const std::string& k : global.keys) g.intern(k);
  std::vector<uint32_t> out(local.size());
  for (uint32_t i = 0; i < local.size(); ++i) {
    const int64_t id = g.find(local.at(i));
    out[i] = id < 0 ? UINT32_MAX : static_cast<uint32_t>(id);
  }
  return out;
}

FinalItems finalize_items(const GlobalItems& g, const std::vector<int64_t>& item_users,
                          int64_t min_item_users) {
  FinalItems f;
  f.final_id.assign(g.keys.size(), UINT32_MAX);
  Catalog& c = f.catalog;
  c.category_names = g.category_names;
  c.category_offsets.push_back(0);
  std::map<std::vector<uint32_t>, std::vector<size_t>> buckets;
  for (size_t i = 0; i < g.keys.size(); ++i) {
    if (item_users[i] >= min_item_users) {
      f.final_id[i] = static_cast<uint32_t>(c.num_items());
      c.categories.insert(c.categories.end(), g.categories[i].begin(), g.categories[i].end());
      c.category_offsets.push_back(c.categories.size());
      c.item_names.push_back(g.names.empty() ? to_utf8(g.keys[i]) : g.names[i]);
      ++f.kept;
    } else if (item_users[i] > 0) {
      buckets[g.categories[i]].push_back(i);
      ++f.rare;
    }
  }
  f.first_bucket = buckets.empty() ? UINT32_MAX : static_cast<uint32_t>(c.num_items());
  for (const auto& [cats, members] : buckets) {
    const auto id = static_cast<uint32_t>(c.num_items());
    for (size_t i : members) f.final_id[i] = id;
    c.categories.insert(c.categories.end(), cats.begin(), cats.end());
    c.category_offsets.push_back(c.categories.size());
    std::string name = "(other)";
    for (uint32_t k : cats) name += " " + g.category_names[k];
    c.item_names.push_back(name.substr(0, 4000));
    ++f.buckets;
  }
  if (c.category_names.empty()) c.category_names.push_back("(none)");
  return f;
}

}  // namespace imine

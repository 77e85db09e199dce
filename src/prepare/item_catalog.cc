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
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return item_key_less(keys[a], keys[b]); });
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
                              const std::vector<uint64_t>& local_pairs) {
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

  StringTable items, cats;
  for (const std::string& k : all_items) items.intern(k);
  for (const std::string& c : all_cats) cats.intern(c);
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
    const uint32_t item = item_rank[items.find(all_items[pairs[at]])];
    const uint32_t cat = cat_rank[cats.find(all_cats[pairs[at + 1]])];
    g.categories[item].push_back(cat);
  }
  for (auto& c : g.categories) {
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
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

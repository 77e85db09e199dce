// The items and categories of a prepared dataset: global item ids that do not depend on the
// number of ranks (keys sorted by item_key_less), category ids, and the final catalog where
// items seen by too few users are folded into "other" buckets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imine/data/catalog.h"
#include "imine/dist/communicator.h"
#include "imine/prepare/side_files.h"
#include "imine/prepare/string_table.h"

namespace imine {

struct GlobalItems {
  std::vector<std::string> keys;   // sorted by item_key_less; index = provisional global id
  std::vector<std::string> names;  // empty or one per key
  std::vector<std::string> category_names;
  std::vector<std::vector<uint32_t>> categories;  // per item, ascending
};

// From a catalog file. Flag columns keep their order as category ids; category names from a
// name column are sorted by bytes.
GlobalItems items_from_catalog(const CatalogInput& in);
// From the events (collective): the union of every rank's item keys, category names (sorted)
// and (item, category) pairs. local_to_global (optional) gets map_local_items(local_items,
// result), read off the union instead of from a second table.
GlobalItems items_from_events(const Communicator& comm, const StringTable& local_items,
                              const StringTable& local_categories,
                              const std::vector<uint64_t>& local_pairs,
                              std::vector<uint32_t>* local_to_global = nullptr);
// Local item index -> global id (UINT32_MAX when the item is not in `global`).
std::vector<uint32_t> map_local_items(const StringTable& local, const GlobalItems& global);

struct FinalItems {
  Catalog catalog;
  std::vector<uint32_t> final_id;      // per global item; UINT32_MAX: no kept events
  uint32_t first_bucket = UINT32_MAX;  // ids from here on are "other" buckets
  uint64_t kept = 0, rare = 0, buckets = 0;
};
// Items with item_users >= min_item_users keep their own id (in key order); items with fewer
// but at least one user go to the "other" bucket of their category set, named
// "(other) <categories>", numbered after the kept items in category-set order.
FinalItems finalize_items(const GlobalItems& g, const std::vector<int64_t>& item_users,
                          int64_t min_item_users);

}  // namespace imine

// Reading and writing catalog.h5 (schema imine.catalog v1, docs/data-format.md).
#pragma once

#include <cstdint>
#include <string>

#include "imine/data/catalog.h"

namespace imine {

// The two numbers shards and the manifest are checked against.
struct CatalogSizes {
  uint64_t num_items = 0;
  uint64_t num_categories = 0;
};
CatalogSizes catalog_sizes(const Catalog& catalog);

struct CatalogLimits {
  uint64_t max_items = uint64_t{1} << 31;
  uint64_t max_categories = uint64_t{1} << 20;
  uint64_t max_item_categories = uint64_t{1} << 32;  // total entries of /items/categories
  uint64_t max_name_bytes = 1 << 12;                 // per category or item name
};

// Validates, then writes atomically (temporary name, fsync, rename).
void write_catalog(const std::string& path, const Catalog& catalog, const std::string& source);
// Checks schema, types and every size against the limits before allocating, then
// Catalog::validate; errors name the file and dataset.
Catalog read_catalog(const std::string& path, const CatalogLimits& limits = {});
// Only the root attributes num_items / num_categories (cheap; no datasets read).
CatalogSizes read_catalog_sizes(const std::string& path);

}  // namespace imine

#include "imine/data/catalog_io.h"

#include "imine/data/schema.h"
#include "imine/h5/h5.h"
#include "imine/util/atomic_file.h"

namespace imine {

namespace {

constexpr const char* kCategoryNames = "/categories/name";
constexpr const char* kCategoryOffsets = "/items/category_offsets";
constexpr const char* kCategories = "/items/categories";
constexpr const char* kItemNames = "/items/name";

uint64_t nonnegative_attr(const h5::File& f, const char* name, uint64_t limit) {
  int64_t v = h5::get_attr_int(f, "/", name);
  IMINE_CHECK(v >= 0 && static_cast<uint64_t>(v) <= limit)
      << f.path() << ": root attribute " << name << " = " << v << " is outside [0, " << limit
      << "]";
  return static_cast<uint64_t>(v);
}

// The dataset must be 1-D with exactly `expected` entries; checked before reading it.
void require_length(const h5::Dataset& d, uint64_t expected, const char* what) {
  d.require_rank(1);
  IMINE_CHECK(d.dims()[0] == expected) << d.where() << ": " << d.dims()[0] << " entries, expected "
                                       << expected << " (" << what << ")";
}

}  // namespace

CatalogSizes catalog_sizes(const Catalog& catalog) {
  return {catalog.num_items(), catalog.num_categories()};
}

void write_catalog(const std::string& path, const Catalog& catalog, const std::string& source) {
  catalog.validate(path);
  AtomicOutput out(path);
  h5::File f = h5::File::create(out.temp_path());
  h5::write_strings(f, kCategoryNames, catalog.category_names);
  h5::write_vector(f, kCategoryOffsets, catalog.category_offsets);
  h5::write_vector(f, kCategories, catalog.categories);
  if (!catalog.item_names.empty()) h5::write_strings(f, kItemNames, catalog.item_names);
  h5::write_schema(f, schema::kCatalog, schema::kCatalogVersion);
  h5::set_attr(f, "/", "num_items", static_cast<int64_t>(catalog.num_items()));
  h5::set_attr(f, "/", "num_categories", static_cast<int64_t>(catalog.num_categories()));
  h5::set_attr(f, "/", "source", source);
  h5::set_attr(f, "/", "created", schema::utc_timestamp());
  f.close();
  out.commit();
}

CatalogSizes read_catalog_sizes(const std::string& path) {
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, schema::kCatalog, schema::kCatalogVersion, schema::kCatalogVersion);
  CatalogSizes s;
  s.num_items = nonnegative_attr(f, "num_items", UINT32_MAX);
  s.num_categories = nonnegative_attr(f, "num_categories", UINT32_MAX);
  return s;
}

Catalog read_catalog(const std::string& path, const CatalogLimits& limits) {
  h5::File f = h5::File::open_read(path);
  h5::require_schema(f, schema::kCatalog, schema::kCatalogVersion, schema::kCatalogVersion);
  const uint64_t num_items = nonnegative_attr(f, "num_items", limits.max_items);
  const uint64_t num_categories = nonnegative_attr(f, "num_categories", limits.max_categories);

  Catalog c;
  h5::ReadLimits names_limit;
  names_limit.max_elements = num_categories;
  names_limit.max_string_bytes = limits.max_name_bytes;
  h5::Dataset names(f, kCategoryNames);
  require_length(names, num_categories, "root attribute num_categories");
  c.category_names = names.read_strings(names_limit);

  h5::Dataset offsets(f, kCategoryOffsets);
  offsets.require_type<uint64_t>();
  require_length(offsets, num_items + 1, "root attribute num_items + 1");
  h5::ReadLimits offsets_limit;
  offsets_limit.max_elements = num_items + 1;
  offsets.read_all(&c.category_offsets, offsets_limit);

  h5::Dataset cats(f, kCategories);
  cats.require_type<uint32_t>();
  cats.require_rank(1);
  const uint64_t entries = cats.dims()[0];
  IMINE_CHECK(entries <= limits.max_item_categories)
      << cats.where() << ": " << entries << " entries exceed the limit of "
      << limits.max_item_categories;
  IMINE_CHECK(c.category_offsets.back() == entries)
      << f.path() << ": " << kCategoryOffsets << " ends at " << c.category_offsets.back() << " but "
      << kCategories << " has " << entries << " entries";
  h5::ReadLimits cats_limit;
  cats_limit.max_elements = entries;
  cats.read_all(&c.categories, cats_limit);

  if (h5::exists(f, kItemNames)) {
    h5::Dataset items(f, kItemNames);
    require_length(items, num_items, "root attribute num_items");
    h5::ReadLimits items_limit;
    items_limit.max_elements = num_items;
    items_limit.max_string_bytes = limits.max_name_bytes;
    c.item_names = items.read_strings(items_limit);
  }
  c.validate(path);
  return c;
}

}  // namespace imine

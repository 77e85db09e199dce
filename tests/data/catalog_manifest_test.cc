#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "data/data_test_util.h"
#include "imine/data/catalog_io.h"
#include "imine/data/manifest.h"
#include "imine/data/schema.h"
#include "imine/h5/h5.h"

namespace imine {
namespace {

void expect_error_mentions(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  }
}

TEST(CatalogIo, RoundTripWithAndWithoutItemNames) {
  const std::string dir = testdata::fresh_dir("catalog");
  for (bool names : {false, true}) {
    const Catalog c = testdata::make_catalog(names);
    const std::string path = dir + "/catalog.h5";
    write_catalog(path, c, "unit test");
    const Catalog r = read_catalog(path);
    EXPECT_EQ(r.category_names, c.category_names);
    EXPECT_EQ(r.category_offsets, c.category_offsets);
    EXPECT_EQ(r.categories, c.categories);
    EXPECT_EQ(r.item_names, c.item_names);
    const CatalogSizes s = read_catalog_sizes(path);
    EXPECT_EQ(s.num_items, testdata::kItems);
    EXPECT_EQ(s.num_categories, testdata::kCategories);
    h5::File f = h5::File::open_read(path);
    EXPECT_EQ(h5::get_attr_string(f, "/", "source"), "unit test");
    EXPECT_EQ(h5::get_attr_string(f, "/", "created").size(), 20u);  // 2024-01-02T03:04:05Z
  }
}

TEST(CatalogIo, LimitsAndCorruptionNameTheFileAndDataset) {
  const std::string dir = testdata::fresh_dir("catalog_bad");
  const std::string path = dir + "/catalog.h5";
  write_catalog(path, testdata::make_catalog(true), "unit test");
  CatalogLimits tiny;
  tiny.max_items = 10;
  expect_error_mentions([&] { read_catalog(path, tiny); }, {path, "num_items"});
  tiny = {};
  tiny.max_item_categories = 3;
  expect_error_mentions([&] { read_catalog(path, tiny); }, {path, "/items/categories"});

  // A category id beyond the names, written directly with the h5 layer.
  Catalog bad = testdata::make_catalog(false);
  bad.categories[5] = testdata::kCategories;
  {
    h5::File f = h5::File::create(path);
    h5::write_strings(f, "/categories/name", bad.category_names);
    h5::write_vector(f, "/items/category_offsets", bad.category_offsets);
    h5::write_vector(f, "/items/categories", bad.categories);
    h5::write_schema(f, schema::kCatalog, schema::kCatalogVersion);
    h5::set_attr(f, "/", "num_items", int64_t{testdata::kItems});
    h5::set_attr(f, "/", "num_categories", int64_t{testdata::kCategories});
    f.close();
  }
  expect_error_mentions([&] { read_catalog(path); }, {path, "/items/categories[5]"});
  EXPECT_THROW(write_catalog(dir + "/other.h5", bad, "x"), Error);
  EXPECT_FALSE(std::filesystem::exists(dir + "/other.h5"));
}

std::vector<ShardInfo> fake_shards(const std::string& dir) {
  std::vector<ShardInfo> shards = {{"part-00000.h5", 10, 100, 0x1234, 50, 90},
                                   {"part-00001.h5", 0, 0, 0x42, 0, 0},
                                   {"part-00002.h5", 5, 7, 0xabcdef, 20, 60}};
  for (const auto& s : shards) std::ofstream(dir + "/" + s.file) << "x";
  return shards;
}

TEST(Manifest, RoundTrip) {
  const std::string dir = testdata::fresh_dir("manifest");
  const Manifest m =
      build_manifest(fake_shards(dir), {testdata::kItems, testdata::kCategories}, "unit test");
  EXPECT_EQ(m.num_users, 15u);
  EXPECT_EQ(m.num_events, 107u);
  EXPECT_EQ(m.time_min, 20);  // the empty shard's zeros do not count
  EXPECT_EQ(m.time_max, 90);
  write_manifest(dir, m);
  const Manifest r = read_manifest(dir);
  ASSERT_EQ(r.shards.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.shards[i].file, m.shards[i].file);
    EXPECT_EQ(r.shards[i].num_users, m.shards[i].num_users);
    EXPECT_EQ(r.shards[i].num_events, m.shards[i].num_events);
    EXPECT_EQ(r.shards[i].checksum, m.shards[i].checksum);
    EXPECT_EQ(r.shards[i].time_min, m.shards[i].time_min);
    EXPECT_EQ(r.shards[i].time_max, m.shards[i].time_max);
  }
  EXPECT_EQ(r.num_users, m.num_users);
  EXPECT_EQ(r.num_events, m.num_events);
  EXPECT_EQ(r.num_items, testdata::kItems);
  EXPECT_EQ(r.num_categories, testdata::kCategories);
  EXPECT_EQ(r.time_min, m.time_min);
  EXPECT_EQ(r.time_max, m.time_max);
  EXPECT_EQ(r.source, "unit test");
  EXPECT_FALSE(r.created.empty());
}

TEST(Manifest, RefusesMissingShardsBadNamesAndWrongTotals) {
  const std::string dir = testdata::fresh_dir("manifest_bad");
  Manifest m = build_manifest(fake_shards(dir), {1, 1}, "t");
  write_manifest(dir, m);
  std::filesystem::remove(dir + "/part-00001.h5");
  expect_error_mentions([&] { read_manifest(dir); }, {"manifest.h5", "part-00001.h5"});

  Manifest wrong = m;
  wrong.num_events += 1;
  expect_error_mentions([&] { write_manifest(dir, wrong); }, {"manifest.h5", "totals"});

  Manifest escape = build_manifest({{"../part-00000.h5", 0, 0, 0, 0, 0}}, {1, 1}, "t");
  write_manifest(dir, escape);
  expect_error_mentions([&] { read_manifest(dir); }, {"manifest.h5", "/shards/file[0]"});

  ManifestLimits tiny;
  tiny.max_shards = 0;
  expect_error_mentions([&] { read_manifest(dir, tiny); }, {"manifest.h5", "num_shards"});
}

}  // namespace
}  // namespace imine

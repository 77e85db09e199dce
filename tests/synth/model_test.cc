#include "imine/synth/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "imine/util/error.h"

namespace imine {
namespace {

SynthConfig small_config() {
  SynthConfig cfg;
  cfg.seed = 7;
  cfg.users = 1000;
  cfg.items = 3000;
  return cfg;
}

void expect_error_naming(const std::function<void(SynthConfig&)>& mutate,
                         const std::string& field) {
  SynthConfig cfg = small_config();
  mutate(cfg);
  try {
    cfg.validate();
    ADD_FAILURE() << "no error for bad " << field;
  } catch (const Error& e) {
    // The bad field leads the message (others may be quoted as bounds).
    EXPECT_NE(std::string(e.what()).find("synth config: " + field), std::string::npos)
        << "message '" << e.what() << "' does not name " << field;
  }
}

TEST(SynthConfig, DefaultsAreValid) {
  EXPECT_NO_THROW(SynthConfig().validate());
  EXPECT_NO_THROW(small_config().validate());
}

TEST(SynthConfig, ErrorsNameTheField) {
  expect_error_naming([](SynthConfig& c) { c.users = 0; }, "users");
  expect_error_naming([](SynthConfig& c) { c.categories = 1; }, "categories");
  expect_error_naming([](SynthConfig& c) { c.items = c.categories - 1; }, "items");
  expect_error_naming([](SynthConfig& c) { c.archetypes = 0; }, "archetypes");
  expect_error_naming([](SynthConfig& c) { c.categories_per_archetype = 1; },
                      "categories_per_archetype");
  expect_error_naming([](SynthConfig& c) { c.drift_fraction = 1.5; }, "drift_fraction");
  expect_error_naming([](SynthConfig& c) { c.multi_category_fraction = -0.1; },
                      "multi_category_fraction");
  expect_error_naming([](SynthConfig& c) { c.noise_fraction = 2.0; }, "noise_fraction");
  expect_error_naming([](SynthConfig& c) { c.min_events = 0; }, "min_events");
  expect_error_naming([](SynthConfig& c) { c.max_events = c.min_events - 1; }, "max_events");
  expect_error_naming([](SynthConfig& c) { c.mean_events = 3000; }, "mean_events");
  expect_error_naming([](SynthConfig& c) { c.activity_sigma = -1; }, "activity_sigma");
  expect_error_naming([](SynthConfig& c) { c.duration_seconds = 1000; }, "duration_seconds");
  expect_error_naming([](SynthConfig& c) { c.start_time = -5; }, "start_time");
  expect_error_naming([](SynthConfig& c) { c.num_attributes = 5; }, "num_attributes");
  expect_error_naming([](SynthConfig& c) { c.item_zipf_exponent = 9; }, "item_zipf_exponent");
}

TEST(SynthCatalog, ShapeNamesAndDeterminism) {
  const SynthConfig cfg = small_config();
  const Catalog cat = make_catalog(cfg);
  EXPECT_NO_THROW(cat.validate("synthetic"));
  ASSERT_EQ(cat.num_items(), cfg.items);
  ASSERT_EQ(cat.num_categories(), cfg.categories);
  EXPECT_EQ(std::set<std::string>(cat.category_names.begin(), cat.category_names.end()).size(),
            cfg.categories)
      << "category names must be distinct";
  size_t multi = 0;
  std::vector<int> items_per_category(cfg.categories, 0);
  for (uint32_t i = 0; i < cat.num_items(); ++i) {
    const auto n = cat.categories_end(i) - cat.categories_begin(i);
    ASSERT_TRUE(n == 1 || n == 2) << "item " << i;
    if (n == 2) {
      ++multi;
      EXPECT_LT(cat.categories_begin(i)[0], cat.categories_begin(i)[1]) << "item " << i;
    }
    for (const uint32_t* c = cat.categories_begin(i); c != cat.categories_end(i); ++c) {
      items_per_category[*c]++;
    }
  }
  EXPECT_NEAR(static_cast<double>(multi) / cfg.items, cfg.multi_category_fraction, 0.02);
  for (uint32_t c = 0; c < cfg.categories; ++c) EXPECT_GT(items_per_category[c], 0) << c;

  const Catalog again = make_catalog(cfg);
  EXPECT_EQ(again.categories, cat.categories);
  EXPECT_EQ(again.category_offsets, cat.category_offsets);
  SynthConfig other = cfg;
  other.seed = 8;
  EXPECT_NE(make_catalog(other).categories, cat.categories);
}

TEST(SynthCatalog, ManyCategoriesGetNumberedNames) {
  SynthConfig cfg = small_config();
  cfg.categories = 200;
  const Catalog cat = make_catalog(cfg);
  EXPECT_EQ(cat.category_names[0], "cat000");
  EXPECT_EQ(cat.category_names[199], "cat199");
}

TEST(SynthCatalog, SecondCategoriesShareAnArchetype) {
  const SynthConfig cfg = small_config();
  const Catalog cat = make_catalog(cfg);
  const auto archetypes = make_archetypes(cfg, make_category_appeal(cfg));
  std::set<std::pair<uint32_t, uint32_t>> related;
  for (const Archetype& a : archetypes) {
    for (uint32_t x : a.categories) {
      for (uint32_t y : a.categories) related.insert({x, y});
    }
  }
  size_t multi = 0, in_archetype = 0;
  for (uint32_t i = 0; i < cat.num_items(); ++i) {
    if (cat.categories_end(i) - cat.categories_begin(i) != 2) continue;
    ++multi;
    in_archetype += related.count({cat.categories_begin(i)[0], cat.categories_begin(i)[1]});
  }
  ASSERT_GT(multi, 100u);
  // Only a primary category that no archetype holds pairs at random.
  EXPECT_GT(static_cast<double>(in_archetype) / multi, 0.6);
}

TEST(SynthModel, ArchetypesAreValidProfiles) {
  const SynthConfig cfg = small_config();
  const SynthModel model(cfg, make_catalog(cfg));
  ASSERT_EQ(model.archetypes().size(), cfg.archetypes);
  for (const Archetype& a : model.archetypes()) {
    ASSERT_EQ(a.categories.size(), cfg.categories_per_archetype);
    EXPECT_EQ(std::set<uint32_t>(a.categories.begin(), a.categories.end()).size(),
              a.categories.size());
    double sum = 0.0;
    for (size_t j = 0; j < a.weights.size(); ++j) {
      EXPECT_GT(a.weights[j], 0.0);
      if (j > 0) {
        EXPECT_LE(a.weights[j], a.weights[j - 1]);
      }
      sum += a.weights[j];
    }
    EXPECT_NEAR(sum, 1.0, 1e-9);
    ASSERT_EQ(a.attribute_mode.size(), cfg.num_attributes);
    for (uint32_t k = 0; k < cfg.num_attributes; ++k) {
      EXPECT_GE(a.attribute_mode[k], 0);
      EXPECT_LT(static_cast<uint32_t>(a.attribute_mode[k]), synth_attribute_cardinality(k));
    }
  }
}

TEST(SynthModel, ItemsAreZipfWithinTheirCategory) {
  const SynthConfig cfg = small_config();
  const Catalog cat = make_catalog(cfg);
  const SynthModel model(cfg, cat);
  Rng rng(1, kStreamBench);
  const uint32_t c = 3;
  std::vector<int> counts(cfg.items, 0);
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const uint32_t item = model.sample_item(c, rng);
    ASSERT_LT(item, cfg.items);
    bool in_category = false;
    for (const uint32_t* k = cat.categories_begin(item); k != cat.categories_end(item); ++k) {
      in_category |= *k == c;
    }
    ASSERT_TRUE(in_category) << "item " << item << " not in category " << c;
    counts[item]++;
  }
  std::sort(counts.begin(), counts.end(), std::greater<int>());
  // Zipf exponent 1: the top item is about twice as frequent as the second.
  EXPECT_NEAR(static_cast<double>(counts[0]) / counts[1], 2.0, 0.2);
}

TEST(SynthModel, RejectsCatalogOfTheWrongShape) {
  SynthConfig cfg = small_config();
  const Catalog cat = make_catalog(cfg);
  cfg.items += 1;
  EXPECT_THROW(SynthModel(cfg, cat), Error);
  cfg = small_config();
  cfg.categories += 1;
  EXPECT_THROW(SynthModel(cfg, cat), Error);
}

}  // namespace
}  // namespace imine

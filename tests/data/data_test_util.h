// Hand-made chunks, catalogs and folders for the data tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "imine/data/catalog.h"
#include "imine/data/user_chunk.h"
#include "imine/util/rng.h"

namespace imine::testdata {

constexpr uint32_t kItems = 50;
constexpr uint32_t kCategories = 7;

// A fresh, empty folder per test name and process.
inline std::string fresh_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(::testing::TempDir()) /
                            ("imine_data_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline Catalog make_catalog(bool with_item_names) {
  Catalog c;
  for (uint32_t k = 0; k < kCategories; ++k) c.category_names.push_back("cat" + std::to_string(k));
  c.category_offsets.push_back(0);
  for (uint32_t i = 0; i < kItems; ++i) {
    c.categories.push_back(i % kCategories);
    if (i % 3 == 0) c.categories.push_back((i + 2) % kCategories);
    c.category_offsets.push_back(c.categories.size());
    if (with_item_names) c.item_names.push_back("item " + std::to_string(i));
  }
  return c;
}

// `users` users with 0..max_events events each (times sorted), ids from first_id.
inline UserChunk make_chunk(uint64_t key, uint64_t first_id, size_t users, uint32_t max_events,
                            int num_attributes, bool truth) {
  Rng rng(key, kStreamBench, first_id);
  UserChunk c;
  c.clear();
  c.num_attributes = num_attributes;
  if (truth) c.truth_offsets.push_back(0);
  for (size_t u = 0; u < users; ++u) {
    c.user_ids.push_back(first_id + u * 7);
    const uint64_t n = rng.below(max_events + 1);
    int64_t t = 1600000000 + static_cast<int64_t>(rng.below(1000000));
    for (uint64_t j = 0; j < n; ++j) {
      c.items.push_back(static_cast<uint32_t>(rng.below(kItems)));
      c.types.push_back(static_cast<uint8_t>(rng.below(kNumEventTypes)));
      t += static_cast<int64_t>(rng.below(5000));  // ties allowed: sorted, not strictly
      c.times.push_back(t);
      c.weights.push_back(rng.uniform_float() * 5.0f);
    }
    c.offsets.push_back(c.items.size());
    for (int a = 0; a < num_attributes; ++a)
      c.attributes.push_back(static_cast<int32_t>(rng.below(3 + a)));
    if (truth) {
      const uint64_t k = rng.below(4);
      for (uint64_t j = 0; j < k; ++j) {
        c.truth_category.push_back(static_cast<uint32_t>(rng.below(kCategories)));
        c.truth_weight.push_back(rng.uniform_float());
        c.truth_is_new.push_back(static_cast<uint8_t>(rng.below(2)));
      }
      c.truth_offsets.push_back(c.truth_category.size());
    }
  }
  return c;
}

// Appends b's users after a's (offsets shifted), for comparing streams of chunks.
inline void append_chunk(UserChunk* a, const UserChunk& b) {
  if (a->offsets.empty()) a->offsets.push_back(0);
  if (b.has_truth() && a->truth_offsets.empty()) a->truth_offsets.push_back(0);
  a->num_attributes = b.num_attributes;
  const uint64_t events = a->items.size(), truth = a->truth_category.size();
  a->user_ids.insert(a->user_ids.end(), b.user_ids.begin(), b.user_ids.end());
  for (size_t u = 1; u < b.offsets.size(); ++u) a->offsets.push_back(b.offsets[u] + events);
  a->items.insert(a->items.end(), b.items.begin(), b.items.end());
  a->types.insert(a->types.end(), b.types.begin(), b.types.end());
  a->times.insert(a->times.end(), b.times.begin(), b.times.end());
  a->weights.insert(a->weights.end(), b.weights.begin(), b.weights.end());
  a->attributes.insert(a->attributes.end(), b.attributes.begin(), b.attributes.end());
  for (size_t u = 1; u < b.truth_offsets.size(); ++u)
    a->truth_offsets.push_back(b.truth_offsets[u] + truth);
  a->truth_category.insert(a->truth_category.end(), b.truth_category.begin(),
                           b.truth_category.end());
  a->truth_weight.insert(a->truth_weight.end(), b.truth_weight.begin(), b.truth_weight.end());
  a->truth_is_new.insert(a->truth_is_new.end(), b.truth_is_new.begin(), b.truth_is_new.end());
}

inline void expect_same_users(const UserChunk& a, const UserChunk& b) {
  EXPECT_EQ(a.user_ids, b.user_ids);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.types, b.types);
  EXPECT_EQ(a.times, b.times);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.num_attributes, b.num_attributes);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.truth_offsets, b.truth_offsets);
  EXPECT_EQ(a.truth_category, b.truth_category);
  EXPECT_EQ(a.truth_weight, b.truth_weight);
  EXPECT_EQ(a.truth_is_new, b.truth_is_new);
}

}  // namespace imine::testdata

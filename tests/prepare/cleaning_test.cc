#include "imine/prepare/cleaning.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "imine/prepare/item_catalog.h"
#include "imine/prepare/string_table.h"

namespace imine {
namespace {

EventRecord ev(uint64_t user, int64_t time, uint32_t item, uint8_t type = kView, float w = 1) {
  return {user, time, EventRecord::pack(item, type), w};
}

TEST(Cleaning, SortsDeduplicatesAndDropsByRule) {
  std::vector<EventRecord> e = {
      ev(7, 30, 2),        ev(7, 10, 1),       ev(7, 10, 1),  // user 7: one exact duplicate
      ev(7, 10, 0),        ev(7, 20, 1, kBuy), ev(3, 5, 4),   // user 3: one event, below min_events
      ev(9, 0, 1),         ev(9, 1, 2),        ev(9, 2, 3),
      ev(9, 3, 1, kClick), ev(9, 4, 2, kCart),  // bot
  };
  CleanRules rules{2, 4.0};
  CleanCounts counts;
  std::vector<uint32_t> item_users(5, 0);
  std::vector<uint64_t> per_user;
  clean_users(&e, rules, &counts, &item_users, &per_user);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].time, 10);  // time order, ties by item id
  EXPECT_EQ(e[0].item(), 0u);
  EXPECT_EQ(e[1].item(), 1u);
  EXPECT_EQ(e[2].type(), kBuy);
  EXPECT_EQ(e[3].time, 30);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.users_few, 1u);
  EXPECT_EQ(counts.few_events, 1u);
  EXPECT_EQ(counts.users_bots, 1u);
  EXPECT_EQ(counts.bot_events, 5u);
  EXPECT_EQ(counts.users_kept, 1u);
  EXPECT_EQ(per_user, std::vector<uint64_t>{4});
  EXPECT_EQ(item_users, (std::vector<uint32_t>{1, 1, 1, 0, 0}));  // distinct users per item
}

TEST(Cleaning, BotRateUsesTheActiveSpanWithAOneDayFloor) {
  EXPECT_FALSE(is_bot(100, 0, 0, 0));      // off
  EXPECT_TRUE(is_bot(101, 0, 3600, 100));  // within one day
  EXPECT_FALSE(is_bot(1000, 0, 10 * 86400, 100));
  EXPECT_TRUE(is_bot(1001, 0, 10 * 86400, 100));
}

TEST(ItemCatalog, KeysInItemKeyOrder) {
  CatalogInput in;
  uint64_t state = 99;
  auto next = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const char* fixed[] = {"0",
                         "00",
                         "01",
                         "9",
                         "10",
                         "18446744073709551615",
                         "9999999999999999999",
                         "1000000000000000000",
                         "x",
                         "",
                         "-1",
                         "1e3",
                         "\xff",
                         " 1"};
  for (const char* f : fixed) in.keys.push_back(f);
  for (int i = 0; i < 2000; ++i) {
    std::string k = std::to_string(next() % 100000);
    if (i % 4 == 0) k = "k" + k;
    if (i % 7 == 0) k = "0" + k;
    in.keys.push_back(k);
  }
  std::sort(in.keys.begin(), in.keys.end());
  in.keys.erase(std::unique(in.keys.begin(), in.keys.end()), in.keys.end());
  in.categories.assign(in.keys.size(), {"c"});
  GlobalItems g = items_from_catalog(in);
  ASSERT_EQ(g.keys.size(), in.keys.size());
  for (size_t i = 1; i < g.keys.size(); ++i) {
    EXPECT_TRUE(item_key_less(g.keys[i - 1], g.keys[i])) << g.keys[i - 1] << " " << g.keys[i];
  }
}

TEST(ItemCatalog, RareItemsGoToOtherBucketsPerCategorySet) {
  CatalogInput in;
  in.keys = {"10", "9", "b", "a"};
  in.categories = {{"x"}, {"y", "x"}, {"y"}, {"x", "y"}};
  GlobalItems g = items_from_catalog(in);
  EXPECT_EQ(g.keys, (std::vector<std::string>{"9", "10", "a", "b"}));  // numbers by value
  EXPECT_EQ(g.category_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(g.categories[0], (std::vector<uint32_t>{0, 1}));
  // Users per item: "9" and "a" rare (same category set), "b" unseen, "10" kept.
  FinalItems f = finalize_items(g, {1, 5, 2, 0}, 3);
  EXPECT_EQ(f.kept, 1u);
  EXPECT_EQ(f.rare, 2u);
  EXPECT_EQ(f.buckets, 1u);
  EXPECT_EQ(f.final_id, (std::vector<uint32_t>{1, 0, 1, UINT32_MAX}));
  EXPECT_EQ(f.first_bucket, 1u);
  EXPECT_EQ(f.catalog.item_names, (std::vector<std::string>{"10", "(other) x y"}));
  EXPECT_NO_THROW(f.catalog.validate("test"));
}

TEST(Cleaning, ChunksRemapItemsAndResortTies) {
  std::vector<EventRecord> e = {ev(1, 5, 0), ev(1, 5, 1), ev(2, 1, 1)};
  std::vector<uint32_t> final_id = {2, 0, 1};  // item 0 becomes bucket 2: order flips
  ChunkBuilder b;
  b.final_item = &final_id;
  b.first_bucket = 2;
  b.chunk_users = 1;
  std::vector<UserChunk> chunks;
  b.build(e.data(), e.size(), [&](const UserChunk& c) { chunks.push_back(c); });
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].items, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(chunks[1].items, (std::vector<uint32_t>{0}));
  EXPECT_EQ(b.events_to_other, 1u);
}

}  // namespace
}  // namespace imine

#include "imine/prepare/record_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "imine/prepare/cleaning.h"
#include "imine/prepare/string_table.h"

namespace imine {
namespace {

bool same_bytes(const std::vector<EventRecord>& a, const EventRecord* b, size_t n) {
  // memcmp's pointers must not be null even for n == 0 (an empty shard): UBSan checks it.
  return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n * sizeof(EventRecord)) == 0);
}

// Records that exercise every tie-break: few users (some share their top bits, one has a big
// history), repeated times, items, types and weights, and exact duplicates.
std::vector<EventRecord> tricky_records(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> users;
  for (int i = 0; i < 300; ++i) users.push_back(rng());
  for (int i = 0; i < 20; ++i) users.push_back((users[0] & ~uint64_t{0xfff}) | rng() % 4096);
  std::vector<EventRecord> out;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t user = i % 5 == 0 ? users[1] : users[rng() % users.size()];
    EventRecord r{user, static_cast<int64_t>(rng() % 50) - 10,
                  EventRecord::pack(static_cast<uint32_t>(rng() % 7), uint8_t(rng() % 5)),
                  static_cast<float>(rng() % 3) - 1.0f};
    out.push_back(r);
    if (rng() % 10 == 0) out.push_back(r);
  }
  return out;
}

TEST(RecordSort, SameOrderAsStdSortWithEventLess) {
  for (size_t n : {0, 1, 2, 47, 48, 49, 1000, 60000}) {
    std::vector<EventRecord> in = tricky_records(n, n + 1);
    std::vector<EventRecord> want = in;
    std::sort(want.begin(), want.end(), event_less);
    BigVector<EventRecord> tmp;
    std::vector<EventRecord> got = in;
    sort_records(got.data(), got.size(), &tmp);
    EXPECT_TRUE(same_bytes(want, got.data(), got.size())) << n << " records";
  }
}

TEST(RecordSort, ShardsInLocalOrderEachSorted) {
  std::vector<EventRecord> in = tricky_records(30000, 7);
  for (int64_t shards : {1, 3, 16}) {
    for (int np : {1, 2, 3}) {
      for (int rank = 0; rank < np; ++rank) {
        std::vector<EventRecord> mine;
        for (const EventRecord& r : in) {
          if (shard_of_user(r.user, shards) % np == rank) mine.push_back(r);
        }
        std::vector<EventRecord> got = mine;
        std::vector<size_t> begin;
        sort_by_shard(got.data(), got.size(), shards, rank, np, &begin);
        // The placed path: grouped by local shard first (as ShardStore does), then sorted.
        const ShardMap map(shards, np);
        std::vector<EventRecord> grouped;
        std::vector<size_t> start{0};
        for (int64_t s = rank; s < shards; s += np) {
          for (const EventRecord& r : mine) {
            if (static_cast<int64_t>(map.shard(r.user)) == s) grouped.push_back(r);
          }
          start.push_back(grouped.size());
        }
        std::vector<size_t> grouped_begin;
        sort_buckets(grouped.data(), start, 1, &grouped_begin);
        EXPECT_EQ(grouped_begin, begin);
        EXPECT_TRUE(same_bytes(grouped, got.data(), got.size()));
        size_t local = 0;
        for (int64_t s = rank; s < shards; s += np, ++local) {
          std::vector<EventRecord> want;
          for (const EventRecord& r : mine) {
            if (shard_of_user(r.user, shards) == s) want.push_back(r);
          }
          std::sort(want.begin(), want.end(), event_less);
          ASSERT_LT(local + 1, begin.size());
          EXPECT_TRUE(same_bytes(want, got.data() + begin[local], begin[local + 1] - begin[local]))
              << "shards " << shards << " np " << np << " rank " << rank << " shard " << s;
        }
        EXPECT_EQ(begin.size(), local + 1);
        EXPECT_EQ(begin.back(), got.size());
      }
    }
  }
}

TEST(RecordSort, ShardMapMatchesDivision) {
  std::mt19937_64 rng(3);
  for (int64_t shards : {1, 2, 7, 16, 64}) {
    for (int np : {1, 2, 3, 4}) {
      const ShardMap map(shards, np);
      for (int i = 0; i < 1000; ++i) {
        const uint64_t u = rng();
        const auto s = static_cast<uint64_t>(shard_of_user(u, shards));
        EXPECT_EQ(map.shard(u), s);
        EXPECT_EQ(map.rank(u), s % static_cast<uint64_t>(np));
        EXPECT_EQ(map.local(u), s / static_cast<uint64_t>(np));
      }
    }
  }
}

TEST(RecordSort, CleanSortedKeepsTheCountsOfSortThenClean) {
  std::vector<EventRecord> in = tricky_records(5000, 11);
  std::vector<EventRecord> a = in;
  CleanRules rules{3, 20.0, 0};
  CleanCounts ca, cb;
  std::vector<uint32_t> ia(7, 0), ib(7, 0);
  std::vector<uint64_t> pa, pb;
  clean_users(&a, rules, &ca, &ia, &pa);
  // Distinct users per item counted by brute force over the kept histories.
  std::vector<uint32_t> want_items(7, 0);
  for (size_t b = 0; b < a.size();) {
    size_t e = b;
    std::vector<bool> seen(7, false);
    for (; e < a.size() && a[e].user == a[b].user; ++e) seen[a[e].item()] = true;
    for (size_t i = 0; i < 7; ++i) want_items[i] += seen[i];
    b = e;
  }
  EXPECT_EQ(ia, want_items);
  BigVector<EventRecord> b(in.begin(), in.end()), tmp;
  sort_records(b.data(), b.size(), &tmp);
  b.resize(clean_sorted(b.data(), b.size(), rules, &cb, &ib, &pb));
  EXPECT_TRUE(same_bytes(a, b.data(), b.size()));
  EXPECT_EQ(ia, ib);
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(ca.duplicates, cb.duplicates);
  EXPECT_EQ(ca.users_kept, cb.users_kept);
  EXPECT_GT(ca.duplicates, 0u);
}

TEST(StringTable, PayloadLivesWithTheKeyThroughGrowth) {
  StringTable t;
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) {
    // Short keys (inline) and long ones (compared in the arena).
    keys.push_back(i % 3 == 0 ? "a-long-key-past-the-inline-bytes-" + std::to_string(i)
                              : std::to_string(i * 7919));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    bool added = false;
    uint32_t index = 0;
    uint64_t* p = t.intern_payload(keys[i], StringTable::hash(keys[i]), &added, &index);
    ASSERT_TRUE(added);
    EXPECT_EQ(*p, 0u);
    EXPECT_EQ(index, i);
    *p = i * 3 + 1;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    bool added = true;
    uint32_t index = 0;
    uint64_t* p = t.intern_payload(keys[i], StringTable::hash(keys[i]), &added, &index);
    EXPECT_FALSE(added);
    EXPECT_EQ(index, i);
    EXPECT_EQ(*p, i * 3 + 1) << keys[i];
    EXPECT_EQ(t.find(keys[i]), static_cast<int64_t>(i));
    EXPECT_EQ(t.at(static_cast<uint32_t>(i)), keys[i]);
  }
  EXPECT_EQ(t.find("absent"), -1);
  EXPECT_EQ(t.find(""), -1);
}

}  // namespace
}  // namespace imine

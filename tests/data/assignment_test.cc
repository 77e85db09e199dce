#include "imine/data/assignment.h"

#include <gtest/gtest.h>

#include "data/data_test_util.h"
#include "imine/data/schema.h"
#include "imine/data/shard_writer.h"

namespace imine {
namespace {

// Events per rank, and a check that the ranks' ranges cover every user exactly once, in
// manifest order.
std::vector<uint64_t> check_cover(const std::vector<RankRanges>& ranks,
                                  const std::vector<std::vector<uint64_t>>& offsets) {
  std::vector<uint64_t> load;
  uint32_t shard = 0;
  uint64_t user = 0;
  for (const RankRanges& rr : ranks) {
    uint64_t events = 0;
    for (const ShardRange& r : rr) {
      while (shard < r.shard) {
        EXPECT_EQ(user, offsets[shard].size() - 1) << "shard " << shard << " not finished";
        ++shard;
        user = 0;
      }
      EXPECT_EQ(r.shard, shard);
      EXPECT_EQ(r.user_begin, user);
      EXPECT_LT(r.user_begin, r.user_end);
      user = r.user_end;
      events += offsets[r.shard][r.user_end] - offsets[r.shard][r.user_begin];
    }
    load.push_back(events);
  }
  for (; shard < offsets.size(); ++shard, user = 0)
    EXPECT_EQ(user, offsets[shard].size() - 1) << "shard " << shard << " not covered";
  return load;
}

std::vector<ShardSamples> sample(const std::vector<std::vector<uint64_t>>& offsets, uint64_t stride,
                                 uint64_t* max_granule) {
  std::vector<ShardSamples> out;
  *max_granule = 0;
  for (const auto& o : offsets) {
    ShardSamples s;
    const uint64_t n = o.size() - 1;
    for (uint64_t u = 0; u < n; u += stride) s.users.push_back(u);
    s.users.push_back(n);
    if (s.users.size() > 1 && s.users[s.users.size() - 2] == n) s.users.pop_back();
    for (uint64_t u : s.users) s.events.push_back(o[u]);
    for (size_t k = 1; k < s.events.size(); ++k)
      *max_granule = std::max(*max_granule, s.events[k] - s.events[k - 1]);
    out.push_back(s);
  }
  return out;
}

void expect_balanced(const std::vector<uint64_t>& load, uint64_t granule) {
  uint64_t total = 0;
  for (uint64_t l : load) total += l;
  const double ideal = static_cast<double>(total) / load.size();
  for (size_t r = 0; r < load.size(); ++r) {
    EXPECT_LE(std::abs(static_cast<double>(load[r]) - ideal), granule + 1.0)
        << "rank " << r << " of " << load.size() << " has " << load[r] << " events, ideal " << ideal
        << ", granule " << granule;
  }
}

TEST(Assignment, PureCutsAreBalancedAndCoverEveryUserOnce) {
  // Four shards of unequal size with skewed users, one of them empty.
  Rng rng(11, kStreamBench);
  std::vector<std::vector<uint64_t>> offsets;
  for (uint64_t users : {3000u, 0u, 517u, 9000u}) {
    std::vector<uint64_t> o = {0};
    for (uint64_t u = 0; u < users; ++u) o.push_back(o.back() + rng.below(u % 97 == 0 ? 400 : 20));
    offsets.push_back(o);
  }
  for (uint64_t stride : {1u, 16u, 1024u}) {
    uint64_t granule = 0;
    const auto samples = sample(offsets, stride, &granule);
    for (int ranks : {1, 2, 3, 4, 7, 50}) {
      SCOPED_TRACE("stride " + std::to_string(stride) + ", " + std::to_string(ranks) + " ranks");
      const auto a = assign_ranges_from_cumulative(samples, ranks);
      ASSERT_EQ(a.size(), static_cast<size_t>(ranks));
      expect_balanced(check_cover(a, offsets), granule);
      EXPECT_EQ(assign_ranges_from_cumulative(samples, ranks), a);  // deterministic
    }
  }
}

TEST(Assignment, MoreRanksThanUsers) {
  const std::vector<std::vector<uint64_t>> offsets = {{0, 4, 9}, {0}, {0, 5}};
  uint64_t granule = 0;
  const auto a = assign_ranges_from_cumulative(sample(offsets, 1, &granule), 8);
  ASSERT_EQ(a.size(), 8u);
  const auto load = check_cover(a, offsets);
  size_t nonempty = 0;
  for (const auto& r : a) nonempty += !r.empty();
  EXPECT_EQ(nonempty, 3u);
  expect_balanced(load, granule);
  EXPECT_EQ(assign_ranges_from_cumulative({}, 3).size(), 3u);
}

TEST(Assignment, FromShardFilesWithMoreRanksThanShards) {
  const std::string dir = testdata::fresh_dir("assign");
  std::vector<ShardInfo> infos;
  std::vector<std::vector<uint64_t>> offsets;
  const size_t sizes[] = {700, 0, 2500};
  for (int s = 0; s < 3; ++s) {
    ShardWriterOptions o;
    o.shard_index = s;
    o.num_shards = 3;
    ShardWriter w(dir + "/" + schema::shard_file_name(s), o);
    UserChunk c = testdata::make_chunk(5, s * 100000, sizes[s], 40, 0, false);
    w.append(c);
    infos.push_back(w.finish());
    offsets.push_back(c.offsets);
  }
  const Manifest m = build_manifest(infos, {testdata::kItems, testdata::kCategories}, "t");
  write_manifest(dir, m);
  const Manifest read = read_manifest(dir);
  for (int ranks : {1, 2, 3, 4, 7, 16}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const uint64_t stride = assignment_stride(read.num_users, ranks);
    uint64_t granule = 0;
    const auto expected = assign_ranges_from_cumulative(sample(offsets, stride, &granule), ranks);
    const auto a = assign_ranges(read, dir, ranks);
    EXPECT_EQ(a, expected);
    expect_balanced(check_cover(a, offsets), granule);
  }
  // The manifest must agree with the shard it describes.
  Manifest wrong = read;
  wrong.shards[2].num_events += 1;
  try {
    assign_ranges(wrong, dir, 2);
    FAIL() << "event count mismatch accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("part-00002.h5: /events/offsets"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace imine

#include <gtest/gtest.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "imine/data/schema.h"
#include "imine/data/shard_checksum.h"
#include "imine/data/shard_reader.h"
#include "imine/data/shard_writer.h"
#include "imine/h5/h5.h"

namespace imine {
namespace {

using testdata::append_chunk;
using testdata::expect_same_users;
using testdata::make_chunk;

const CatalogSizes kSizes{testdata::kItems, testdata::kCategories};

ShardWriterOptions options_for(int num_attributes) {
  ShardWriterOptions o;
  o.source = "test";
  o.num_items = testdata::kItems;
  o.num_categories = testdata::kCategories;
  for (int a = 0; a < num_attributes; ++a) {
    o.attribute_names.push_back("a" + std::to_string(a));
    o.attribute_cardinality.push_back(3 + a);
  }
  o.write.chunk_rows = 64;  // several HDF5 chunks even for small test data
  return o;
}

// Chunks of 13, 0, 1 and 40 users: an empty chunk and a single user in the middle.
std::vector<UserChunk> input_chunks(int num_attributes, bool truth) {
  std::vector<UserChunk> chunks;
  chunks.push_back(make_chunk(1, 1000, 13, 30, num_attributes, truth));
  chunks.push_back(make_chunk(2, 2000, 0, 30, num_attributes, truth));
  chunks.push_back(make_chunk(3, 3000, 1, 200, num_attributes, truth));
  chunks.push_back(make_chunk(4, 4000, 40, 12, num_attributes, truth));
  return chunks;
}

ShardInfo write_shard(const std::string& path, const std::vector<UserChunk>& chunks,
                      int num_attributes) {
  ShardWriter w(path, options_for(num_attributes));
  for (const UserChunk& c : chunks) w.append(c);
  return w.finish();
}

// Reads the whole range in chunks under `limits`, checking the budget on each chunk.
UserChunk read_back(ShardReader* r, const ReaderLimits& limits) {
  UserChunk all, chunk;
  all.clear();
  uint64_t expected_first = r->user_begin();
  while (r->next(&chunk)) {
    EXPECT_EQ(chunk.first_user, expected_first);
    EXPECT_GE(chunk.num_users(), 1u);
    EXPECT_LE(chunk.num_users(), limits.max_chunk_users);
    if (chunk.num_users() > 1) {
      EXPECT_LE(chunk.num_events(), limits.max_chunk_events);
    }
    expected_first += chunk.num_users();
    append_chunk(&all, chunk);
  }
  EXPECT_EQ(expected_first, r->user_end());
  EXPECT_EQ(chunk.num_users(), 0u);
  return all;
}

class ShardRoundTrip : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(ShardRoundTrip, ReadsBackInChunksOfVariousSizes) {
  const auto [num_attributes, truth] = GetParam();
  const std::string dir = testdata::fresh_dir("roundtrip");
  const std::string path = dir + "/part-00000.h5";
  const auto chunks = input_chunks(num_attributes, truth);
  UserChunk expected;
  expected.clear();
  for (const auto& c : chunks) append_chunk(&expected, c);
  const ShardInfo info = write_shard(path, chunks, num_attributes);
  EXPECT_EQ(info.file, "part-00000.h5");
  EXPECT_EQ(info.num_users, expected.num_users());
  EXPECT_EQ(info.num_events, expected.num_events());
  EXPECT_EQ(info.time_min, *std::min_element(expected.times.begin(), expected.times.end()));
  EXPECT_EQ(info.time_max, *std::max_element(expected.times.begin(), expected.times.end()));

  const std::pair<uint64_t, uint64_t> budgets[] = {{1, 1 << 20}, {3, 50}, {7, 1}, {1000, 1000}};
  for (const auto& [users, events] : budgets) {
    SCOPED_TRACE("budget " + std::to_string(users) + " users / " + std::to_string(events));
    ReaderLimits limits;
    limits.max_chunk_users = users;
    limits.max_chunk_events = events;
    ShardReader r(path, kSizes, limits);
    EXPECT_EQ(r.num_users(), expected.num_users());
    EXPECT_EQ(r.num_attributes(), num_attributes);
    EXPECT_EQ(r.has_truth(), truth);
    UserChunk got = read_back(&r, limits);
    expect_same_users(got, expected);
    r.rewind();  // a second epoch gives the same users
    expect_same_users(read_back(&r, limits), expected);
  }
  if (num_attributes > 0) {
    ShardReader r(path, kSizes);
    EXPECT_EQ(r.attribute_names(), (std::vector<std::string>{"a0", "a1"}));
    EXPECT_EQ(r.attribute_cardinality(), (std::vector<int64_t>{3, 4}));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, ShardRoundTrip,
                         ::testing::Values(std::make_tuple(0, false), std::make_tuple(2, false),
                                           std::make_tuple(0, true), std::make_tuple(2, true)));

TEST(ShardReader, ReadsAUserRange) {
  const std::string dir = testdata::fresh_dir("range");
  const std::string path = dir + "/part-00000.h5";
  const auto chunks = input_chunks(2, true);
  write_shard(path, chunks, 2);
  UserChunk all;
  all.clear();
  for (const auto& c : chunks) append_chunk(&all, c);

  ReaderLimits limits;
  limits.max_chunk_users = 4;
  ShardReader r(path, kSizes, limits, 5, 17);
  UserChunk got = read_back(&r, limits);
  ASSERT_EQ(got.num_users(), 12u);
  for (size_t u = 0; u < 12; ++u) {
    EXPECT_EQ(got.user_ids[u], all.user_ids[5 + u]);
    ASSERT_EQ(got.end(u) - got.begin(u), all.end(5 + u) - all.begin(5 + u));
    for (size_t j = 0; j < got.end(u) - got.begin(u); ++j) {
      EXPECT_EQ(got.items[got.begin(u) + j], all.items[all.begin(5 + u) + j]);
      EXPECT_EQ(got.times[got.begin(u) + j], all.times[all.begin(5 + u) + j]);
    }
    EXPECT_EQ(got.attributes[2 * u + 1], all.attributes[2 * (5 + u) + 1]);
  }
  EXPECT_THROW(ShardReader(path, kSizes, limits, 10, 9), Error);
  EXPECT_THROW(ShardReader(path, kSizes, limits, 0, all.num_users() + 1), Error);
}

TEST(ShardChecksum, SameContentSameChecksumRegardlessOfChunking) {
  const std::string dir = testdata::fresh_dir("checksum");
  const auto chunks = input_chunks(2, true);
  UserChunk merged;
  merged.clear();
  for (const auto& c : chunks) append_chunk(&merged, c);

  const ShardInfo a = write_shard(dir + "/a.h5", chunks, 2);
  const ShardInfo b = write_shard(dir + "/b.h5", {merged}, 2);
  EXPECT_EQ(a.checksum, b.checksum);
  EXPECT_EQ(shard_checksum(dir + "/a.h5"), a.checksum);
  EXPECT_EQ(shard_checksum(dir + "/b.h5"), a.checksum);

  UserChunk changed = merged;
  changed.weights[3] += 1.0f;
  const ShardInfo c = write_shard(dir + "/c.h5", {changed}, 2);
  EXPECT_NE(c.checksum, a.checksum);
  EXPECT_EQ(shard_checksum(dir + "/c.h5"), c.checksum);

  // Dropping the truth (an optional part) changes the checksum too.
  UserChunk no_truth = merged;
  no_truth.truth_offsets.clear();
  no_truth.truth_category.clear();
  no_truth.truth_weight.clear();
  no_truth.truth_is_new.clear();
  const ShardInfo d = write_shard(dir + "/d.h5", {no_truth}, 2);
  EXPECT_NE(d.checksum, a.checksum);
  EXPECT_EQ(shard_checksum(dir + "/d.h5"), d.checksum);
}

TEST(ShardWriter, NothingUnderTheFinalNameWithoutFinish) {
  const std::string dir = testdata::fresh_dir("abandon");
  {
    ShardWriter w(dir + "/part-00000.h5", options_for(0));
    w.append(make_chunk(1, 0, 10, 5, 0, false));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(ShardWriter, RefusesInconsistentOrInvalidChunks) {
  const std::string dir = testdata::fresh_dir("refuse");
  {
    ShardWriter w(dir + "/x.h5", options_for(0));
    w.append(make_chunk(1, 0, 5, 5, 0, true));
    try {
      w.append(make_chunk(2, 100, 5, 5, 0, false));
      FAIL() << "truth missing from the second chunk was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/truth/offsets"), std::string::npos) << e.what();
    }
  }
  {
    ShardWriter w(dir + "/y.h5", options_for(0));
    UserChunk bad = make_chunk(1, 0, 5, 20, 0, false);
    ASSERT_GT(bad.num_events(), 3u);
    bad.items[2] = testdata::kItems;  // outside the catalog the writer was given
    try {
      w.append(bad);
      FAIL() << "item outside the catalog was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/events/item"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("index 2"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(ShardWriter, EmptyShardIsValidAndYieldsNoChunks) {
  const std::string dir = testdata::fresh_dir("empty");
  const std::string path = dir + "/part-00000.h5";
  ShardInfo info;
  {
    ShardWriter w(path, options_for(0));
    info = w.finish();
  }
  EXPECT_EQ(info.num_users, 0u);
  EXPECT_EQ(info.num_events, 0u);
  EXPECT_EQ(shard_checksum(path), info.checksum);
  ShardReader r(path, kSizes);
  UserChunk chunk;
  EXPECT_FALSE(r.next(&chunk));
  EXPECT_EQ(chunk.num_users(), 0u);
  h5::File f = h5::File::open_read(path);
  EXPECT_EQ(h5::get_attr_string(f, "/", "schema"), schema::kUsers);
  EXPECT_EQ(h5::get_attr_int(f, "/", "num_users"), 0);
}

}  // namespace
}  // namespace imine

// Every way a shard can be wrong must end in an Error naming the file and the dataset, found
// before anything large is allocated.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <new>

#include "data/data_test_util.h"
#include "imine/data/schema.h"
#include "imine/data/shard_reader.h"
#include "imine/data/shard_writer.h"
#include "imine/h5/h5.h"

// The largest single C++ allocation since the last reset, to show that the reader refuses a
// bad size before it sizes a buffer with it.
static std::atomic<size_t> g_largest_alloc{0};

void* operator new(std::size_t n) {
  size_t seen = g_largest_alloc.load(std::memory_order_relaxed);
  while (n > seen && !g_largest_alloc.compare_exchange_weak(seen, n)) {
  }
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// noinline: inlined into callers, GCC would pair this free() with operator new and warn.
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace imine {
namespace {

const CatalogSizes kSizes{testdata::kItems, testdata::kCategories};
constexpr size_t kAllocBound = size_t{16} << 20;

// A shard's datasets as plain vectors, written directly with the h5 layer so that tests can
// break any invariant the ShardWriter would refuse to write.
struct RawShard {
  int64_t version = schema::kUsersVersion;
  int64_t num_users = 0;
  int64_t num_events = 0;
  std::vector<uint64_t> ids, offsets;
  std::vector<uint32_t> items;
  std::vector<uint8_t> types;
  std::vector<int64_t> times;
  std::vector<float> weights;
  bool items_as_int64 = false;
  std::string skip;  // a dataset left out
};

RawShard raw_from(const UserChunk& c) {
  RawShard r;
  r.num_users = static_cast<int64_t>(c.num_users());
  r.num_events = static_cast<int64_t>(c.num_events());
  r.ids = c.user_ids;
  r.offsets = c.offsets;
  r.items = c.items;
  r.types = c.types;
  r.times = c.times;
  r.weights = c.weights;
  return r;
}

void write_raw(const std::string& path, const RawShard& r) {
  h5::File f = h5::File::create(path);
  auto want = [&r](const char* ds) { return r.skip != ds; };
  if (want(schema::kUserIds)) h5::write_vector(f, schema::kUserIds, r.ids);
  if (want(schema::kOffsets)) h5::write_vector(f, schema::kOffsets, r.offsets);
  if (r.items_as_int64) {
    h5::write_vector(f, schema::kItems, std::vector<int64_t>(r.items.begin(), r.items.end()));
  } else if (want(schema::kItems)) {
    h5::write_vector(f, schema::kItems, r.items);
  }
  if (want(schema::kTypes)) {
    h5::write_vector(f, schema::kTypes, r.types);
    std::vector<std::string> names;
    for (int t = 0; t < kNumEventTypes; ++t) names.push_back(event_type_name(t));
    h5::set_attr(f, schema::kTypes, "names", names);
  }
  if (want(schema::kTimes)) h5::write_vector(f, schema::kTimes, r.times);
  if (want(schema::kWeights)) h5::write_vector(f, schema::kWeights, r.weights);
  h5::write_schema(f, schema::kUsers, r.version);
  h5::set_attr(f, "/", "num_users", r.num_users);
  h5::set_attr(f, "/", "num_events", r.num_events);
  h5::set_attr(f, "/", "shard_index", int64_t{0});
  h5::set_attr(f, "/", "num_shards", int64_t{1});
  h5::set_attr(f, "/", "source", std::string("test"));
  f.close();
}

class CorruptShard : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testdata::fresh_dir("corrupt");
    path_ = dir_ + "/part-00001.h5";
    good_ = testdata::make_chunk(9, 500, 30, 25, 0, false);
    // The cases below poke at fixed indices: make sure they exist.
    ASSERT_GT(good_.offsets[4], 0u);
    ASSERT_GT(good_.num_events(), 20u);
  }

  // Opens and reads the whole shard in small chunks; expects an Error mentioning the file
  // and every one of `parts`, with no large allocation on the way.
  void expect_rejected(const std::vector<std::string>& parts,
                       const std::string& path_override = "") {
    const std::string path = path_override.empty() ? path_ : path_override;
    ReaderLimits limits;
    limits.max_chunk_users = 4;
    g_largest_alloc = 0;
    try {
      ShardReader r(path, kSizes, limits);
      UserChunk chunk;
      while (r.next(&chunk)) {
      }
      ADD_FAILURE() << "corrupt shard accepted";
    } catch (const Error& e) {
      const std::string msg = e.what();
      if (std::getenv("IMINE_DATA_TEST_VERBOSE")) std::printf("  error: %s\n", msg.c_str());
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg;
    }
    EXPECT_LT(g_largest_alloc.load(), kAllocBound);
  }

  void write_good(const ShardWriterOptions& o = {}) {
    ShardWriter w(path_, o);
    w.append(good_);
    w.finish();
  }

  std::string dir_, path_;
  UserChunk good_;
};

TEST_F(CorruptShard, ControlGoodShardIsAcceptedAndAllocationsAreSeen) {
  g_largest_alloc = 0;
  std::vector<char> big(kAllocBound);
  EXPECT_GE(g_largest_alloc.load(), kAllocBound);
  write_raw(path_, raw_from(good_));
  ShardReader r(path_, kSizes);
  UserChunk chunk;
  ASSERT_TRUE(r.next(&chunk));
  testdata::expect_same_users(chunk, good_);
}

TEST_F(CorruptShard, WrongSchemaVersion) {
  write_good();
  {
    h5::File f = h5::File::open_readwrite(path_);
    h5::set_attr(f, "/", "schema_version", int64_t{3});
    f.close();
  }
  expect_rejected({"imine.users", "version 3"});
}

TEST_F(CorruptShard, WrongDtype) {
  RawShard r = raw_from(good_);
  r.items_as_int64 = true;
  write_raw(path_, r);
  expect_rejected({"/events/item", "uint32"});
}

TEST_F(CorruptShard, OffsetsNotMonotonic) {
  RawShard r = raw_from(good_);
  r.offsets[5] = r.offsets[4] - 1;
  write_raw(path_, r);
  expect_rejected({"/events/offsets: not monotonic at index 5"});
}

TEST_F(CorruptShard, OffsetsPastTheEnd) {
  RawShard r = raw_from(good_);
  r.offsets[6] = good_.num_events() + 10;
  write_raw(path_, r);
  expect_rejected({"/events/offsets", "index 6", "past the end"});
}

TEST_F(CorruptShard, LastOffsetDisagreesWithEvents) {
  RawShard r = raw_from(good_);
  r.offsets.back() -= 1;
  write_raw(path_, r);
  expect_rejected({"/events/offsets", "ends at"});
}

TEST_F(CorruptShard, ItemBeyondCatalog) {
  RawShard r = raw_from(good_);
  r.items[17] = testdata::kItems;
  write_raw(path_, r);
  expect_rejected({"/events/item", "index 17"});
}

TEST_F(CorruptShard, BadEventType) {
  RawShard r = raw_from(good_);
  r.types[11] = kNumEventTypes;
  write_raw(path_, r);
  expect_rejected({"/events/type", "index 11"});
}

TEST_F(CorruptShard, UnsortedTimes) {
  size_t u = 0;
  while (good_.end(u) - good_.begin(u) < 2) ++u;
  const size_t j = good_.begin(u) + 1;
  RawShard r = raw_from(good_);
  r.times[j] = r.times[j - 1] - 1;
  write_raw(path_, r);
  expect_rejected({"/events/time", "index " + std::to_string(j)});
}

TEST_F(CorruptShard, NanWeight) {
  RawShard r = raw_from(good_);
  r.weights[3] = std::nanf("");
  write_raw(path_, r);
  expect_rejected({"/events/weight", "not finite at index 3"});
}

TEST_F(CorruptShard, AbsurdUserCountInRootAttribute) {
  write_good();
  {
    h5::File f = h5::File::open_readwrite(path_);
    h5::set_attr(f, "/", "num_users", int64_t{1} << 60);
    f.close();
  }
  expect_rejected({"num_users", "1152921504606846976"});
}

TEST_F(CorruptShard, InconsistentSizes) {
  RawShard r = raw_from(good_);
  r.num_users = int64_t{1} << 27;  // within the limits, but not what the datasets hold
  write_raw(path_, r);
  expect_rejected({"/users/id", "num_users"});

  r = raw_from(good_);
  r.items.pop_back();
  write_raw(path_, r);
  expect_rejected({"/events/item", "num_events"});
}

TEST_F(CorruptShard, TooManyEventsForOneUser) {
  write_good();
  ReaderLimits limits;
  limits.max_events_per_user = 1;
  ShardReader r(path_, kSizes, limits);
  UserChunk chunk;
  try {
    while (r.next(&chunk)) {
    }
    FAIL() << "limit ignored";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path_ + ": /events/offsets"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("events per user"), std::string::npos);
  }
}

TEST_F(CorruptShard, AttributeOutsideDeclaredCardinality) {
  good_ = testdata::make_chunk(9, 500, 30, 25, 2, false);
  write_good();  // no cardinality declared: not checked at write time
  {
    h5::File f = h5::File::open_readwrite(path_);
    h5::set_attr(f, schema::kAttributes, "cardinality", std::vector<int64_t>{3, 1});
    f.close();
  }
  expect_rejected({"/users/attributes", "column 1"});
}

TEST_F(CorruptShard, TruthCategoryBeyondCatalog) {
  good_ = testdata::make_chunk(9, 500, 30, 25, 0, true);
  ASSERT_FALSE(good_.truth_category.empty());
  good_.truth_category.back() = testdata::kCategories + 3;
  write_good();  // the writer was given no catalog
  expect_rejected({"/truth/category", "index " + std::to_string(good_.truth_category.size() - 1)});
}

TEST_F(CorruptShard, EmptyShardIsValid) {
  write_raw(path_, raw_from(testdata::make_chunk(1, 0, 0, 5, 0, false)));
  ShardReader r(path_, kSizes);
  EXPECT_EQ(r.num_users(), 0u);
  UserChunk chunk;
  EXPECT_FALSE(r.next(&chunk));
}

TEST_F(CorruptShard, TruncatedFile) {
  write_good();
  std::ifstream in(path_, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir_ + "/part-00002.h5";
  std::ofstream(cut, std::ios::binary).write(bytes.data(), bytes.size() / 2);
  expect_rejected({}, cut);
}

TEST_F(CorruptShard, MissingDataset) {
  RawShard r = raw_from(good_);
  r.skip = schema::kWeights;
  write_raw(path_, r);
  expect_rejected({"/events/weight", "missing"});
}

}  // namespace
}  // namespace imine

#include "imine/train/row_store.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "imine/util/error.h"

namespace imine {
namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/imine-row-store-XXXXXX";
  const char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "";
}

int entries(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d))
    n += std::string(e->d_name) != "." && e->d_name != std::string("..");
  closedir(d);
  return n;
}

// memory_bytes: 0 (on disk from the start), 40000 (spills after some rows), 1 GB (in memory).
class RowStoreTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RowStoreTest, RoundTripsRowsInOrderAndLeavesNoFiles) {
  const std::string dir = temp_dir();
  const size_t dim = 5, C = 3, n = 3000;  // several write buffers and scan chunks
  {
    RowStore s(dir, dim, C, true, GetParam());
    EXPECT_EQ(entries(dir), 0) << "scratch files are unlinked at once";
    for (size_t i = 0; i < n; ++i) {
      float row[dim];
      for (size_t k = 0; k < dim; ++k) row[k] = float(i) + 0.25f * float(k);
      uint8_t t[C] = {uint8_t(i % 2), uint8_t(i % 3 == 0), 1};
      uint8_t p[C] = {0, uint8_t(i % 5 == 0), uint8_t(i % 7)};
      uint32_t idx[3] = {uint32_t(i % 11), uint32_t(i % 11 + 1), 40};
      float cnt[3] = {1.f, 2.f, float(i)};
      s.append(1000 + i * 3, row, t, p, idx, cnt, i % 4);  // 0 to 3 items
    }
    s.finish();
    ASSERT_EQ(s.size(), n);
    EXPECT_EQ(s.on_disk(), GetParam() < 100000);
    StoredRow r;
    for (size_t i : {size_t{0}, size_t{1}, size_t{1234}, n - 1}) {
      s.read(i, &r);
      EXPECT_EQ(r.id, 1000 + i * 3);
      EXPECT_EQ(r.features[dim - 1], float(i) + 1.0f);
      EXPECT_EQ(r.targets[0], i % 2);
      EXPECT_EQ(r.input_present[2], uint8_t(i % 7));
      ASSERT_EQ(r.item_index.size(), i % 4);
      if (i % 4 == 3) {
        EXPECT_EQ(r.item_count[2], float(i));
      }
    }
    size_t next = 0;
    s.scan(
        [&](size_t i, const StoredRow& row) {
          EXPECT_EQ(i, next++);
          EXPECT_EQ(row.id, 1000 + i * 3);
          EXPECT_EQ(row.features[0], float(i));
          EXPECT_EQ(row.item_index.size(), i % 4);
        },
        4096);
    EXPECT_EQ(next, n);
    std::vector<uint64_t> ids(10);
    s.read_ids(2990, 10, ids.data());
    EXPECT_EQ(ids[9], 1000 + 2999 * 3);
    EXPECT_THROW(s.read(n, &r), Error);
  }
  EXPECT_EQ(entries(dir), 0);
  rmdir(dir.c_str());
}

INSTANTIATE_TEST_SUITE_P(MemoryBudgets, RowStoreTest,
                         ::testing::Values(size_t{0}, size_t{40000}, size_t{1} << 30));

TEST(RowStore, MissingScratchDirIsAnErrorNamingIt) {
  try {
    RowStore s("/nonexistent/imine-scratch", 2, 2, false, 1 << 20);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--scratch-dir /nonexistent/imine-scratch"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace imine

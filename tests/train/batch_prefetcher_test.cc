#include "imine/train/batch_prefetcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "imine/train/examples.h"
#include "imine/util/error.h"

namespace imine {
namespace {

TEST(BatchPrefetcher, DeliversEveryStepInOrderAndStaysWithinDepth) {
  std::atomic<int64_t> used{7}, max_ahead{0};
  BatchPrefetcher p(
      [&](int64_t step, Batch* b) {
        max_ahead = std::max<int64_t>(max_ahead, step - used);
        b->keys.assign(static_cast<size_t>(step % 5), static_cast<uint64_t>(step));
      },
      7, 60, 2);
  for (int64_t s = 7; s < 60; ++s) {
    used = s;
    Batch& b = p.acquire(s);
    EXPECT_EQ(b.size(), static_cast<size_t>(s % 5));
    for (uint64_t k : b.keys) EXPECT_EQ(k, static_cast<uint64_t>(s));
    usleep(200);   // let the thread run ahead as far as it may
    used = s + 1;  // from the release on, the thread may fill up to `depth` steps past s + 1
    p.release();
  }
  EXPECT_LE(max_ahead.load(), 2);
  EXPECT_GE(max_ahead.load(), 1);
}

TEST(BatchPrefetcher, ErrorOnTheThreadIsRethrownForThatStep) {
  BatchPrefetcher p(
      [](int64_t step, Batch*) {
        IMINE_CHECK(step != 3) << "row store: read failed at step " << step;
      },
      0, 10, 2);
  for (int64_t s = 0; s < 3; ++s) {
    p.acquire(s);
    p.release();
  }
  try {
    p.acquire(3);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "row store: read failed at step 3");
  }
}

TEST(BatchPrefetcher, StoppingEarlyJoinsTheThread) {
  std::atomic<int> produced{0};
  {
    BatchPrefetcher p([&](int64_t, Batch*) { ++produced; }, 0, 1000000, 3);
    p.acquire(0);
  }
  EXPECT_LE(produced.load(), 4);
}

// The batch from the row store is bitwise what the in-memory path gave: select_columns,
// normalise_rows and apply_tfidf over the whole set, then the rows copied into the batch.
TEST(RowBatcher, MatchesSelectNormaliseAndTfidfInMemory) {
  const size_t dim = 6, C = 4, n = 50;
  char tmpl[] = "/tmp/imine-batcher-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  RowStore store(tmpl, dim, C, false, 0);  // on disk
  ExampleSet set;
  set.dim = dim;
  set.num_categories = C;
  NormStats full(dim);
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>((seed >> 40) % 1000) / 37.0f;
  };
  for (size_t i = 0; i < n; ++i) {
    std::vector<float> row(dim);
    for (float& v : row) v = next();
    std::vector<uint8_t> t(C);
    for (size_t c = 0; c < C; ++c) t[c] = (i + c) % 3 == 0;
    std::vector<uint32_t> idx;
    std::vector<float> cnt;
    for (uint32_t b = 0; b < 9; b += 1 + i % 4) {
      idx.push_back(b);
      cnt.push_back(1.0f + float((i * b) % 5));
    }
    store.append(100 + i, row.data(), t.data(), nullptr, idx.data(), cnt.data(), idx.size());
    set.ids.push_back(100 + i);
    set.features.insert(set.features.end(), row.begin(), row.end());
    set.targets.insert(set.targets.end(), t.begin(), t.end());
    set.items.index.insert(set.items.index.end(), idx.begin(), idx.end());
    set.items.value.insert(set.items.value.end(), cnt.begin(), cnt.end());
    set.items.offsets.push_back(set.items.index.size());
    full.add(row.data());
  }
  store.finish();
  rmdir(tmpl);
  full.finalize();
  const std::vector<int> selection = {0, 2, 3, 5};
  std::vector<double> mean, sd;
  for (int c : selection) {
    mean.push_back(full.mean()[c]);
    sd.push_back(full.stddev()[c]);
  }
  NormStats norm(selection.size());
  norm.restore(mean, sd);
  std::vector<double> idf(9);
  for (size_t b = 0; b < idf.size(); ++b) idf[b] = 1.0 + 0.37 * double(b);

  select_columns(&set, selection);
  normalise_rows(&set, norm);
  apply_tfidf(idf, &set.items);

  RowBatcher batcher(store, selection, norm, idf);
  const std::vector<uint32_t> picks = {7, 0, 49, 13, 13, 22};
  Batch b;
  batcher.fill(picks.data(), picks.size(), &b);
  ASSERT_EQ(b.x.rows(), 4);
  ASSERT_EQ(b.x.cols(), 6);
  ASSERT_EQ(b.items.cols(), picks.size());
  for (size_t j = 0; j < picks.size(); ++j) {
    const size_t i = picks[j];
    EXPECT_EQ(b.keys[j], set.ids[i]);
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(b.x(long(k), long(j)), set.row(i)[k]) << j << k;
    for (size_t c = 0; c < C; ++c) EXPECT_EQ(b.y(long(c), long(j)), set.targets[i * C + c]);
    ASSERT_EQ(b.items.offsets[j + 1] - b.items.offsets[j], set.items.nnz(i));
    for (uint64_t p = 0; p < set.items.nnz(i); ++p) {
      EXPECT_EQ(b.items.index[b.items.offsets[j] + p], set.items.index[set.items.offsets[i] + p]);
      EXPECT_EQ(b.items.value[b.items.offsets[j] + p], set.items.value[set.items.offsets[i] + p]);
    }
  }
}

}  // namespace
}  // namespace imine

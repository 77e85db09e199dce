// The Communicator's collectives at np > 1: sums, gathers in rank order, ordered point-to-point,
// the divergence check and both gradient reductions. Every rank runs every test; only rank 0
// prints.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "imine/dist/communicator.h"
#include "imine/dist/gradient_reducer.h"
#include "imine/dist/shared_memory_reducer.h"

namespace imine {
namespace {

Communicator& comm() {
  static Communicator c = Communicator::world();
  return c;
}

TEST(Collectives, AllreduceSumsAcrossRanksIncludingLargeChunkedBuffers) {
  const int r = comm().rank(), p = comm().size();
  std::vector<float> v(6'000'000, float(r + 1));  // > one 16 MiB chunk
  comm().allreduce_sum(v.data(), v.size());
  const float want = float(p * (p + 1) / 2);
  EXPECT_EQ(v.front(), want);
  EXPECT_EQ(v.back(), want);
  int64_t n = r;
  comm().allreduce_sum(&n, 1);
  EXPECT_EQ(n, p * (p - 1) / 2);
}

TEST(Collectives, GatherKeepsRankOrderAndVariableSizes) {
  const int r = comm().rank(), p = comm().size();
  std::vector<int> mine(static_cast<size_t>(r), r);  // rank 0 contributes nothing
  std::vector<int> all = comm().gather(mine);
  if (comm().is_root()) {
    std::vector<int> want;
    for (int q = 0; q < p; ++q) want.insert(want.end(), static_cast<size_t>(q), q);
    EXPECT_EQ(all, want);
  } else {
    EXPECT_TRUE(all.empty());
  }
}

TEST(Collectives, PointToPointInRankOrder) {
  const int r = comm().rank(), p = comm().size();
  if (comm().is_root()) {
    for (int q = 1; q < p; ++q) {
      std::vector<char> msg = comm().recv_bytes(q, 7);
      ASSERT_EQ(msg.size(), static_cast<size_t>(q * 3));
      EXPECT_EQ(msg[0], char('a' + q));
    }
  } else {
    std::vector<char> msg(static_cast<size_t>(r * 3), char('a' + r));
    comm().send_bytes(msg.data(), msg.size(), 0, 7);
  }
}

TEST(Collectives, AllEqualDetectsDivergence) {
  EXPECT_TRUE(comm().all_equal(99));
  EXPECT_FALSE(comm().all_equal(comm().rank() == 1 ? 1 : 2));
  std::string s = comm().is_root() ? "from root" : "";
  comm().broadcast(&s);
  EXPECT_EQ(s, "from root");
}

TEST(Collectives, BucketedGradientReductionEqualsAllreduce) {
  const int r = comm().rank(), p = comm().size();
  const size_t n = 1000003;  // odd size, several buckets
  std::vector<float> g(n), want(n);
  for (size_t i = 0; i < n; ++i) g[i] = static_cast<float>((i % 97) * (r + 1));
  want = g;
  comm().allreduce_sum(want.data(), n);
  GradientReducer red(comm(), g.data(), n, {100000, 500000, 900000}, 256 * 1024);
  for (int step = 0; step < 2; ++step) {
    if (step == 1)
      for (size_t i = 0; i < n; ++i) g[i] = static_cast<float>((i % 97) * (r + 1));
    red.begin_step();
    // As backward would: the end of the buffer becomes final first.
    for (size_t off : {900000u, 500000u, 100000u, 0u}) red.ready_from(off);
    red.finish();
    for (size_t i = 0; i < n; i += 9973) ASSERT_EQ(g[i], want[i]) << "step " << step << " i " << i;
  }
  (void)p;
}

// Every rank's input of a step, summed in rank order: what the shm reducer must produce on
// every rank, bitwise.
std::vector<float> rank_order_sum(const std::vector<float>& mine) {
  const size_t n = mine.size();
  std::vector<char> all = comm().gather_bytes(mine.data(), n * sizeof(float));
  std::vector<float> sum(n);
  if (comm().is_root()) {
    const float* a = reinterpret_cast<const float*>(all.data());
    for (size_t i = 0; i < n; ++i) sum[i] = a[i];
    for (int q = 1; q < comm().size(); ++q)
      for (size_t i = 0; i < n; ++i) sum[i] += a[static_cast<size_t>(q) * n + i];
  }
  comm().broadcast(sum.data(), n * sizeof(float));
  return sum;
}

TEST(Collectives, SharedMemoryReductionSumsInRankOrderOnEveryRank) {
  if (!ranks_share_memory(comm())) GTEST_SKIP() << "ranks on more than one host";
  const int r = comm().rank();
  const size_t n = 300007;  // parts of every size, a short last one
  const auto buckets = gradient_buckets(n, {50000, 200000, 250000}, 100000 * sizeof(float));
  SharedMemoryReducer red(comm(), n, buckets);
  float* g = red.gradient_storage();
  ASSERT_EQ(reinterpret_cast<uintptr_t>(g) % 64, 0u);
  size_t total_parts = 0;
  for (const auto& [b, e] : buckets)
    total_parts +=
        (e - b + SharedMemoryReducer::kPartFloats - 1) / SharedMemoryReducer::kPartFloats;
  for (int step = 0; step < 6; ++step) {
    // Values whose sum depends on the order of the additions.
    std::vector<float> mine(n);
    for (size_t i = 0; i < n; ++i)
      mine[i] =
          static_cast<float>(((i * 2654435761u + static_cast<size_t>(r) * 97 + step) % 1000003)) *
          (r % 2 ? 1e-7f : 1.0f);
    const std::vector<float> want = rank_order_sum(mine);
    red.begin_step();
    std::copy(mine.begin(), mine.end(), g);
    // Ranks at different speeds: in odd steps rank 0 is late, in even ones the last rank, so
    // the early ranks' finish() sums buckets the late one publishes one by one.
    const int late = step % 2 ? 0 : comm().size() - 1;
    for (size_t off : {250000u, 200000u, 50000u, 0u}) {
      if (r == late) std::this_thread::sleep_for(std::chrono::milliseconds(3));
      red.ready_from(off);
    }
    red.finish();
    ASSERT_EQ(std::memcmp(g, want.data(), n * sizeof(float)), 0) << "step " << step;
    // The parts were summed once each, by someone.
    int64_t parts = static_cast<int64_t>(red.parts_reduced());
    comm().allreduce_sum(&parts, 1);
    EXPECT_EQ(parts, static_cast<int64_t>(total_parts)) << "step " << step;
  }
}

TEST(Collectives, SharedMemoryAndMpiReductionsAgreeThroughTheFactory) {
  const int r = comm().rank();
  const size_t n = 70001;
  std::vector<float> mine(n);
  for (size_t i = 0; i < n; ++i) mine[i] = static_cast<float>(i % 13) * 0.1f * (r + 1);
  std::vector<std::vector<float>> results;
  for (const char* kind : {"mpi", "shm"}) {
    for (size_t bytes : {size_t{0}, size_t{40000}}) {
      if (std::string(kind) == "shm" && !ranks_share_memory(comm())) continue;
      std::vector<float> own = mine;
      auto red = make_gradient_reduction(comm(), own.data(), n, {10000, 60000}, bytes, kind);
      ASSERT_NE(red, nullptr);
      EXPECT_STREQ(red->name(), kind);
      float* g = red->gradient_storage() ? red->gradient_storage() : own.data();
      std::copy(mine.begin(), mine.end(), g);
      red->begin_step();
      red->ready_from(60000);
      red->ready_from(0);
      red->finish();
      results.emplace_back(g, g + n);
    }
  }
  // Small integers times 0.1: sums in any order agree closely; at two ranks exactly.
  for (size_t k = 1; k < results.size(); ++k)
    for (size_t i = 0; i < n; i += 7)
      ASSERT_NEAR(results[k][i], results[0][i], 1e-5f) << "variant " << k << " i " << i;
  if (comm().size() == 2) {
    for (size_t k = 1; k < results.size(); ++k) EXPECT_EQ(results[k], results[0]) << k;
  }
  EXPECT_THROW(make_gradient_reduction(comm(), mine.data(), n, {}, 0, "nccl"), std::exception);
}

}  // namespace
}  // namespace imine

int main(int argc, char** argv) {
  imine::MpiSession mpi(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (imine::comm().rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int rc = RUN_ALL_TESTS();
  // Every rank's verdict counts: a failure on any rank fails the job.
  int64_t failed = rc != 0;
  imine::comm().allreduce_sum(&failed, 1);
  return failed ? 1 : 0;
}

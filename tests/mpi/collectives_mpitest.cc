// The Communicator's collectives at np > 1: sums, gathers in rank order, ordered point-to-point
// and the divergence check. Every rank runs every test; only rank 0 prints.
#include <gtest/gtest.h>

#include "imine/dist/communicator.h"
#include "imine/dist/gradient_reducer.h"

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

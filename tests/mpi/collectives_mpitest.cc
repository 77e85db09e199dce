// The Communicator's collectives at np > 1: sums, gathers in rank order, ordered point-to-point
// and the divergence check. Every rank runs every test; only rank 0 prints.
#include <gtest/gtest.h>

#include "imine/dist/communicator.h"

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

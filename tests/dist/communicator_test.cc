// Single-rank behaviour of the collectives (the multi-rank paths run in the MPI tests).
#include "imine/dist/communicator.h"

#include <gtest/gtest.h>

namespace imine {
namespace {

TEST(Communicator, SingleRankCollectivesAreIdentity) {
  Communicator c = Communicator::world();
  ASSERT_EQ(c.size(), 1);
  std::vector<float> v(5'000'000, 1.5f);  // spans several 16 MiB chunks
  c.allreduce_sum(v.data(), v.size());
  EXPECT_EQ(v.front(), 1.5f);
  EXPECT_EQ(v.back(), 1.5f);
  EXPECT_TRUE(c.all_equal(42));
  std::vector<int> local = {1, 2, 3};
  EXPECT_EQ(c.gather(local), local);
  std::string s = "abc";
  c.broadcast(&s);
  EXPECT_EQ(s, "abc");
  EXPECT_EQ(c.allreduce_max(int64_t{-3}), -3);
}

}  // namespace
}  // namespace imine
